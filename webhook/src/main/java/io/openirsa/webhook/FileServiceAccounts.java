package io.openirsa.webhook;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * ServiceAccount settings from a file (YAML or JSON): a map from {@code namespace/name}, or
 * {@code namespace/*} for a whole namespace, to settings named like the annotations without their
 * prefix. The file is read again when it changes; a file that does not parse keeps the last good one.
 * <pre>
 * default/my-app:
 *   role-arn: arn:aws:iam::123456789012:role/my-app-role
 *   sts-regional-endpoints: "true"
 *   token-expiration: "3600"
 * </pre>
 */
public final class FileServiceAccounts implements ServiceAccounts {
    private static final Logger LOG = LoggerFactory.getLogger(FileServiceAccounts.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path file;
    private volatile Map<String, ServiceAccountSettings> entries = Map.of();
    private volatile FileTime loaded;

    public FileServiceAccounts(Path file) {
        this.file = file;
        reloadIfChanged();
    }

    @Override
    public Optional<ServiceAccountSettings> find(String namespace, String name) {
        reloadIfChanged();
        Map<String, ServiceAccountSettings> e = entries;
        ServiceAccountSettings s = e.get(namespace + "/" + name);
        return Optional.ofNullable(s != null ? s : e.get(namespace + "/*"));
    }

    @Override
    public boolean ready() {
        return loaded != null;
    }

    private synchronized void reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (modified.equals(loaded)) {
                return;
            }
            Map<String, Map<String, Object>> raw = YAML.readValue(file.toFile(), new TypeReference<>() { });
            Map<String, ServiceAccountSettings> next = new HashMap<>();
            if (raw != null) {
                raw.forEach((key, values) -> {
                    Map<String, String> strings = new HashMap<>();
                    if (values != null) {
                        values.forEach((k, v) -> strings.put(k, v == null ? null : String.valueOf(v)));
                    }
                    next.put(key, ServiceAccountSettings.of(strings));
                });
            }
            entries = Map.copyOf(next);
            loaded = modified;
            LOG.info("service accounts from {}: {} entries", file, next.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read service accounts from {} ({}); keeping the previous {} entries", file, e.getMessage(), entries.size());
        }
    }
}
