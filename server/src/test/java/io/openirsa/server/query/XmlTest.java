package io.openirsa.server.query;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The query protocol's XML answers: well-formed for any text, which reads back as written. */
class XmlTest {

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    @Test
    void anAnswer_asAwsWritesIt() {
        String xml = new Xml().start("GetCallerIdentityResponse", "https://sts.amazonaws.com/doc/2011-06-15/")
                .start("GetCallerIdentityResult").el("Arn", "arn:aws:sts::123456789012:assumed-role/app/s").el("Missing", null)
                .el("Expiration", Instant.parse("2026-11-29T12:00:00.750Z")).el("Empty", "").end()
                .start("ResponseMetadata").el("RequestId", "r-1").end().end().toString();
        assertThat(xml).isEqualTo("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
                + "<Arn>arn:aws:sts::123456789012:assumed-role/app/s</Arn><Expiration>2026-11-29T12:00:00Z</Expiration><Empty></Empty>"
                + "</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
    }

    @Test
    void markupInText_isEscaped_andCharactersXmlCannotCarry_areDropped() throws Exception {
        String hostile = "</Arn><Injected>&amp;\"'\u0000\u0001\uFFFE\uFFFF x\u00e9\u2713\uD83D\uDE00]]>";
        String xml = new Xml().start("R", "urn:x\"&<").el("V", hostile).end().toString();
        Document d = parse(xml);
        assertThat(d.getDocumentElement().getNamespaceURI()).isEqualTo("urn:x\"&<");
        assertThat(d.getElementsByTagName("Injected").getLength()).isZero();
        assertThat(d.getElementsByTagName("V").item(0).getTextContent()).isEqualTo("</Arn><Injected>&amp;\"' x\u00e9\u2713\uD83D\uDE00]]>");
    }

    @Property(tries = 500)
    void anyText_readsBackAsWritten_lessWhatXmlCannotCarry(@ForAll String text) throws Exception {
        String xml = new Xml().start("R").el("V", text).end().toString();
        String expected = text.codePoints()
                .filter(c -> c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        String read = parse(xml).getElementsByTagName("V").item(0).getTextContent();
        // A parser reads a lone CR as LF (end-of-line handling), as it would from AWS.
        assertThat(read).isEqualTo(expected.replace("\r\n", "\n").replace('\r', '\n'));
    }
}
