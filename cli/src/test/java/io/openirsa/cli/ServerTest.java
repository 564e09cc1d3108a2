package io.openirsa.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A test class against one running server (a {@link Fixture}) for all its tests; the clock is reset after each. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerTest {
    Fixture f;

    @BeforeAll
    void startServer() throws Exception {
        f = new Fixture();
    }

    @AfterAll
    void stopServer() {
        f.close();
    }

    @AfterEach
    void resetClock() {
        f.clock.reset();
    }
}
