package com.example.thumbnail;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * For each uploaded JPEG or PNG under {@code uploads/} (an S3 event notification from the
 * bucket's trigger), writes a thumbnail that fits inside 300x200, aspect ratio kept, under
 * {@code thumbnails/} in the same format. It never writes under {@code uploads/}, so its own
 * writes trigger nothing: no loop.
 */
public class Thumbnail implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    static final int MAX_WIDTH = 300;
    static final int MAX_HEIGHT = 200;

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        int written = 0;
        for (Object r : (List<Object>) event.getOrDefault("Records", List.of())) {
            Map<String, Object> s3 = (Map<String, Object>) ((Map<String, Object>) r).get("s3");
            String bucket = (String) ((Map<String, Object>) s3.get("bucket")).get("name");
            // keys arrive form-encoded, as S3 sends them
            String key = URLDecoder.decode((String) ((Map<String, Object>) s3.get("object")).get("key"),
                    StandardCharsets.UTF_8);
            String format = format(key);
            if (!key.startsWith("uploads/") || format == null) {
                System.out.println("skipped " + key);
                continue;
            }
            byte[] image = context.storage().get(bucket, key);
            byte[] thumbnail = thumbnail(image, format);
            String target = "thumbnails/" + key.substring("uploads/".length());
            context.storage().put(bucket, target, thumbnail, format.equals("png") ? "image/png" : "image/jpeg");
            System.out.println("thumbnail " + key + " -> " + target);
            written++;
        }
        return Map.of("thumbnails", written);
    }

    /** {@code jpg} or {@code png} by the key's extension; null for anything else. */
    static String format(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "jpg";
        }
        return lower.endsWith(".png") ? "png" : null;
    }

    /** Scales {@code image} to fit inside 300x200 (never up), keeping its aspect ratio. */
    static byte[] thumbnail(byte[] image, String format) {
        try {
            BufferedImage source = ImageIO.read(new ByteArrayInputStream(image));
            if (source == null) {
                throw new IllegalArgumentException("not a readable " + format + " image");
            }
            double scale = Math.min(1.0, Math.min((double) MAX_WIDTH / source.getWidth(),
                    (double) MAX_HEIGHT / source.getHeight()));
            int width = Math.max(1, (int) Math.round(source.getWidth() * scale));
            int height = Math.max(1, (int) Math.round(source.getHeight() * scale));
            BufferedImage target = new BufferedImage(width, height,
                    format.equals("png") ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            Graphics2D g = target.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(source, 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(target, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
