package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `irsa serve` whose port is taken says so and exits non-zero; it never claims a listener it does not have. */
class ServeCommandTest {

    @Test
    void aTakenPort_exitsWithOneClearLine_andWritesNoServerJson() throws Exception {
        Path data = Files.createTempDirectory("openirsa-serve");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PrintStream err = System.err;
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            System.setErr(new PrintStream(said, true));
            int code;
            try {
                code = Main.allCommands().execute("serve", "--data", data.toString(), "--listen", "127.0.0.1:" + taken.getLocalPort());
            } finally {
                System.setErr(err);
            }
            assertThat(code).isEqualTo(1);
            assertThat(said.toString()).contains("irsa serve: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(data.resolve("server.json")).doesNotExist();
        }
    }
}
