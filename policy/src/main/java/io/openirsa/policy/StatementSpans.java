package io.openirsa.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Finds where each statement of a (valid) document starts and ends, for the simulator's MatchedStatements positions. */
final class StatementSpans {
    private static final JsonFactory JSON = new JsonFactory();

    private StatementSpans() {
    }

    static List<Span> of(String document) {
        List<Span> spans = new ArrayList<>();
        try (JsonParser p = JSON.createParser(document)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return spans;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!name.equals("Statement")) {
                    p.skipChildren();
                    continue;
                }
                if (value == JsonToken.START_OBJECT) {
                    spans.add(span(p));
                } else if (value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        spans.add(span(p));
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return spans;
    }

    /** The parser is on a statement's START_OBJECT; leaves it on the matching END_OBJECT. */
    private static Span span(JsonParser p) throws IOException {
        JsonLocation start = p.currentTokenLocation();
        p.skipChildren();
        JsonLocation end = p.currentTokenLocation();
        return new Span(start.getLineNr(), start.getColumnNr(), end.getLineNr(), end.getColumnNr() + 1);
    }
}
