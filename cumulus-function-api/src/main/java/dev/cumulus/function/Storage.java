package dev.cumulus.function;

import java.util.List;

/**
 * The node's object storage from inside a function, acting with this invocation's execution
 * role (its policies decide, e.g. {@code storage:GetObject} on
 * {@code crn:cumulus:storage:<project>:photos/uploads/*}). Reached through
 * {@link Context#storage()}; needs a function deployed with a role. Objects pass through in one
 * piece: this client is for objects up to {@link #MAX_OBJECT_BYTES}; larger ones go through the
 * S3 API. Writes made here continue the storage-trigger chain of the invocation that makes them,
 * so a function writing into the bucket that triggered it is stopped after 16 hops (docs/storage.md).
 */
public interface Storage {
    /** The largest object this client reads or writes. */
    int MAX_OBJECT_BYTES = 6 * 1024 * 1024;

    /**
     * @throws ServiceException 404 {@code NoSuchKey}/{@code NoSuchBucket}, 403 {@code AccessDenied}
     */
    byte[] get(String bucket, String key);

    /**
     * @param contentType null for {@code binary/octet-stream}
     * @return the object's ETag (its MD5, hex)
     * @throws ServiceException 403 {@code AccessDenied}, 404 {@code NoSuchBucket}
     */
    String put(String bucket, String key, byte[] data, String contentType);

    /** Deletes an object; nothing happens when it is gone already. */
    void delete(String bucket, String key);

    /** The keys under {@code prefix} (null or empty for all), in byte order. */
    List<String> list(String bucket, String prefix);
}
