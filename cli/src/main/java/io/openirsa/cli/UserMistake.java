package io.openirsa.cli;

import java.io.IOException;

/** A user's mistake (no server, a missing file): said in one line, exit code 2, no stack trace. */
class UserMistake extends IOException {
    UserMistake(String message) {
        super(message);
    }
}
