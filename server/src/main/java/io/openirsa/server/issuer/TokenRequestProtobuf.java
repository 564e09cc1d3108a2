package io.openirsa.server.issuer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * A TokenRequest in kube-apiserver's protobuf encoding, which kubectl sends and does not fall back
 * from: the bytes {@code k8s\0}, then a runtime.Unknown (1: typeMeta, 2: the TokenRequest's bytes).
 * Read into the JSON shape of its {@code spec}, the only part a TokenRequest's caller sets. Field
 * numbers are those of k8s.io/api/authentication/v1's generated.proto.
 */
final class TokenRequestProtobuf {
    static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private TokenRequestProtobuf() {
    }

    static boolean is(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(CONTENT_TYPE);
    }

    /** The request's spec: audiences, expirationSeconds and boundObjectRef, as the JSON body has them. */
    static ObjectNode spec(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw bad("the body does not start with the Kubernetes protobuf prefix");
        }
        try {
            CodedInputStream unknown = CodedInputStream.newInstance(body, MAGIC.length, body.length - MAGIC.length);
            String kind = null;
            byte[] raw = null;
            for (int tag; (tag = unknown.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> kind = typeMetaKind(CodedInputStream.newInstance(unknown.readByteArray()));
                    case 2 -> raw = unknown.readByteArray();
                    default -> unknown.skipField(tag);
                }
            }
            if (!"TokenRequest".equals(kind) || raw == null) {
                throw bad("the body is not a TokenRequest");
            }
            CodedInputStream request = CodedInputStream.newInstance(raw);
            ObjectNode spec = JSON.objectNode();
            for (int tag; (tag = request.readTag()) != 0; ) {
                if (WireFormat.getTagFieldNumber(tag) == 2) {
                    spec = spec(CodedInputStream.newInstance(request.readByteArray()));
                } else {
                    request.skipField(tag);
                }
            }
            return spec;
        } catch (IOException e) {
            throw bad("the protobuf body does not decode");
        }
    }

    private static String typeMetaKind(CodedInputStream in) throws IOException {
        String kind = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(tag) == 2) {
                kind = in.readStringRequireUtf8();
            } else {
                in.skipField(tag);
            }
        }
        return kind;
    }

    /**
     * Audiences one request may name. A 1 MB body holds 330,000 one-letter ones, some 20 MB once read;
     * a JSON body is bounded by its tokens instead (Json.MAX_TOKENS).
     */
    static final int MAX_AUDIENCES = 1000;

    private static ObjectNode spec(CodedInputStream in) throws IOException {
        ObjectNode spec = JSON.objectNode();
        ArrayNode audiences = spec.putArray("audiences");
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    if (audiences.size() == MAX_AUDIENCES) {
                        throw bad("the TokenRequest names more than " + MAX_AUDIENCES + " audiences");
                    }
                    audiences.add(in.readStringRequireUtf8());
                }
                case 3 -> spec.set("boundObjectRef", boundObjectRef(CodedInputStream.newInstance(in.readByteArray())));
                case 4 -> spec.put("expirationSeconds", in.readInt64());
                default -> in.skipField(tag);
            }
        }
        return spec;
    }

    private static ObjectNode boundObjectRef(CodedInputStream in) throws IOException {
        ObjectNode ref = JSON.objectNode();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> ref.put("kind", in.readStringRequireUtf8());
                case 2 -> ref.put("apiVersion", in.readStringRequireUtf8());
                case 3 -> ref.put("name", in.readStringRequireUtf8());
                case 4 -> ref.put("uid", in.readStringRequireUtf8());
                default -> in.skipField(tag);
            }
        }
        return ref;
    }

    private static AwsException bad(String message) {
        return new AwsException(AwsError.BAD_REQUEST, message);
    }
}
