package io.openirsa.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a sorted listing and the opaque marker for the next (null on the last page), as IAM's
 * Marker and EKS's nextToken work. The marker is the sort key of the last item returned.
 */
public record Page<T>(List<T> items, String marker) {
    public Page {
        items = List.copyOf(items);
    }

    public boolean truncated() {
        return marker != null;
    }

    /**
     * @param sorted items in the order of {@code key}
     * @param marker the marker from the previous page, or null for the first
     * @param max the page size, or null for 100
     * @param invalidMarker what to throw for a marker that is not one of ours
     */
    public static <T> Page<T> of(List<T> sorted, Function<T, String> key, String marker, Integer max, AwsException invalidMarker) {
        int start = 0;
        if (marker != null) {
            String after;
            try {
                after = new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalidMarker;
            }
            while (start < sorted.size() && key.apply(sorted.get(start)).compareTo(after) <= 0) {
                start++;
            }
        }
        int end = Math.min(sorted.size(), start + (max == null ? 100 : max));
        List<T> items = sorted.subList(start, end);
        String next = end < sorted.size()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(key.apply(items.get(items.size() - 1)).getBytes(StandardCharsets.UTF_8))
                : null;
        return new Page<>(items, next);
    }
}
