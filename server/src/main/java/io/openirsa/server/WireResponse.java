package io.openirsa.server;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What goes back: status, content type, extra headers, body. */
public record WireResponse(int status, String contentType, Map<String, String> headers, byte[] body) {
    public WireResponse {
        headers = Map.copyOf(headers);
    }

    public static WireResponse of(int status, String contentType, String body) {
        return new WireResponse(status, contentType, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    public WireResponse withHeader(String name, String value) {
        var h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new WireResponse(status, contentType, h, body);
    }
}
