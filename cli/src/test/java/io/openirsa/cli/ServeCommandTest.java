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

    @Test
    void aSecondServerOnTheSameFolder_isRefused_whileTheFirstRuns_andNotAfter() throws Exception {
        Path data = Files.createTempDirectory("openirsa-serve");
        String before;
        try (RunningServer first = RunningServer.start(RunningServer.Options.local(data, java.time.Clock.systemUTC()))) {
            before = Files.readString(data.resolve("server.json"));
            PrintStream err = System.err;
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            System.setErr(new PrintStream(said, true));
            int code;
            try {
                code = Main.allCommands().execute("serve", "--data", data.toString(), "--listen", "127.0.0.1:0");
            } finally {
                System.setErr(err);
            }
            assertThat(code).isEqualTo(1);
            assertThat(said.toString().strip()).isEqualTo("irsa serve: another server is running with data folder " + data
                    + " (stop it, or give this one another --data)");
            assertThat(Files.readString(data.resolve("server.json"))).as("the running server's, untouched").isEqualTo(before);
        }
        try (RunningServer again = RunningServer.start(RunningServer.Options.local(data, java.time.Clock.systemUTC()))) {
            assertThat(again.endpoint()).isNotEqualTo(before);
        }
    }
}
