package io.openirsa.server.query;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.Writer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A small writer for query-protocol XML responses over StAX: elements, text, nothing else. */
public final class Xml {
    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();
    private final Text out = new Text();
    private final XMLStreamWriter w;

    public Xml() {
        try {
            w = FACTORY.createXMLStreamWriter(out);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    public Xml start(String name) {
        try {
            w.writeStartElement(name);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    public Xml start(String name, String namespace) {
        try {
            w.writeStartElement(name);
            w.writeDefaultNamespace(namespace);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    public Xml end() {
        try {
            w.writeEndElement();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** An element with text; nothing at all when the value is null, as AWS omits absent members. */
    public Xml el(String name, Object value) {
        if (value == null) {
            return this;
        }
        String text = value instanceof Instant i ? timestamp(i) : value.toString();
        try {
            w.writeStartElement(name);
            w.writeCharacters(sanitize(text));
            w.writeEndElement();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    public static String timestamp(Instant i) {
        return i.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Characters XML 1.0 cannot carry are dropped rather than producing a document no client can read. */
    private static String sanitize(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                    || Character.isSurrogate(c);
            if (!ok && b == null) {
                b = new StringBuilder(s.substring(0, i));
            } else if (ok && b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    @Override
    public String toString() {
        try {
            w.flush();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /**
     * The answer's characters. StringWriter appends through a synchronized StringBuffer, a call per
     * piece of text StAX writes: 5 % of an exchange's CPU (JFR). Sized for a typical answer.
     */
    private static final class Text extends Writer {
        private final StringBuilder b = new StringBuilder(2048);

        @Override
        public void write(char[] chars, int off, int len) {
            b.append(chars, off, len);
        }

        @Override
        public void write(String str, int off, int len) {
            b.append(str, off, off + len);
        }

        @Override
        public void write(int c) {
            b.append((char) c);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }
}
