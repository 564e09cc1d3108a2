package io.openirsa.core.model;

/** A key's place in rotation: add (PENDING, published) -> PRIMARY (signs) -> RETIRED (verifies only). */
public enum KeyStatus {
    PENDING,
    PRIMARY,
    RETIRED
}
