package io.openirsa.server.query;

import io.openirsa.core.SecondsText;

import java.time.Instant;
import java.util.ArrayDeque;

/**
 * A small writer for query-protocol XML responses: elements, a default namespace, escaped text,
 * nothing else. Written out rather than through StAX: the JDK's StAX writer fed its output a char
 * array at a time into a Latin-1 buffer, 9 % of an exchange's CPU (JFR), to write what is a few
 * lines here.
 */
public final class Xml {
    private final StringBuilder out = new StringBuilder(2048); // an exchange's answer is 1.7 KB
    private final ArrayDeque<String> open = new ArrayDeque<>();

    public Xml start(String name) {
        out.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    public Xml start(String name, String namespace) {
        out.append('<').append(name).append(" xmlns=\"");
        text(namespace, true);
        out.append("\">");
        open.push(name);
        return this;
    }

    public Xml end() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    /** An element with text; nothing at all when the value is null, as AWS omits absent members. */
    public Xml el(String name, Object value) {
        if (value == null) {
            return this;
        }
        out.append('<').append(name).append('>');
        text(value instanceof Instant i ? timestamp(i) : value.toString(), false);
        out.append("</").append(name).append('>');
        return this;
    }

    private static final SecondsText TIMESTAMPS = new SecondsText();

    /** To the second, as AWS writes them; an exchange's Expiration is its second plus the duration, shared by the second's answers. */
    public static String timestamp(Instant i) {
        return TIMESTAMPS.format(i);
    }

    /** The ASCII characters written as they are in text: printable ones but {@code & < >}, and tab, LF, CR. */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c = ' '; c < 128; c++) {
            PLAIN[c] = c != '&' && c != '<' && c != '>';
        }
        PLAIN['\t'] = PLAIN['\n'] = PLAIN['\r'] = true;
    }

    /**
     * Escaped text. Characters XML 1.0 cannot carry are dropped rather than producing a document no
     * client can read; a run of plain characters is appended in one piece. ASCII is looked up in a
     * table: a session token's thousand characters took 3.6 % of an exchange through comparisons
     * (async-profiler).
     */
    private void text(String s, boolean attribute) {
        int plain = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128 ? PLAIN[c] && (c != '"' || !attribute) : c < 0xD800) {
                continue;
            }
            String escaped = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                default -> null;
            };
            boolean allowed = (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || Character.isSurrogate(c);
            if (escaped != null || !allowed) {
                out.append(s, plain, i);
                if (escaped != null) {
                    out.append(escaped);
                }
                plain = i + 1;
            }
        }
        out.append(s, plain, s.length());
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
