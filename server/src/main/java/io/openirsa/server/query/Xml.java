package io.openirsa.server.query;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

    public static String timestamp(Instant i) {
        return i.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Escaped text. Characters XML 1.0 cannot carry are dropped rather than producing a document no
     * client can read; a run of plain characters is appended in one piece.
     */
    private void text(String s, boolean attribute) {
        int plain = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > '>' && c < 0xD800 || c >= ' ' && c != '&' && c != '<' && c != '>' && (c != '"' || !attribute) && c < 0xD800) {
                continue; // the usual character: one or two comparisons
            }
            String escaped = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> attribute ? "&quot;" : null;
                default -> null;
            };
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                    || Character.isSurrogate(c);
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
