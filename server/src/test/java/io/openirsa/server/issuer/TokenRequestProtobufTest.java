package io.openirsa.server.issuer;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A protobuf TokenRequest is read up to its bound on audiences, as a JSON one is up to its tokens. */
class TokenRequestProtobufTest {

    /** Kubernetes' envelope ({@code k8s\0}, then Unknown: TypeMeta, raw) around a TokenRequest whose spec names the audiences. */
    private static byte[] tokenRequest(int audiences) throws IOException {
        ByteString spec = message(out -> {
            for (int i = 0; i < audiences; i++) {
                out.writeString(1, "a" + i);
            }
        });
        ByteString request = message(out -> out.writeBytes(2, spec));
        ByteString typeMeta = message(out -> out.writeString(2, "TokenRequest"));
        ByteString unknown = message(out -> {
            out.writeBytes(1, typeMeta);
            out.writeBytes(2, request);
        });
        return ByteString.copyFrom(new byte[] {'k', '8', 's', 0}).concat(unknown).toByteArray();
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static ByteString message(Fields fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.write(out);
        out.flush();
        return ByteString.copyFrom(bytes.toByteArray());
    }

    @Test
    void aThousandAudiencesAreRead_oneMoreIsABadRequest() throws Exception {
        assertThat(TokenRequestProtobuf.spec(tokenRequest(TokenRequestProtobuf.MAX_AUDIENCES)).path("audiences").size())
                .isEqualTo(TokenRequestProtobuf.MAX_AUDIENCES);
        byte[] over = tokenRequest(TokenRequestProtobuf.MAX_AUDIENCES + 1);
        assertThatThrownBy(() -> TokenRequestProtobuf.spec(over)).isInstanceOfSatisfying(AwsException.class, e -> {
            assertThat(e.error()).isEqualTo(AwsError.BAD_REQUEST);
            assertThat(e.getMessage()).isEqualTo("the TokenRequest names more than 1000 audiences");
        });
    }
}
