package io.basalt.server.config;

/** A rejected configuration value; the message is the reason part of Redis's error text. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
