package com.example.csvetl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * For each CSV uploaded under {@code incoming/} (an S3 event notification from the bucket's
 * trigger), parses it with Apache Commons CSV (header {@code id,name,email,amount}), validates
 * every row and writes the clean rows as JSON lines to {@code clean/<name>.jsonl} and the
 * rejected ones, each with its line number, reasons and raw fields, to
 * {@code rejected/<name>.jsonl}. It writes only outside {@code incoming/}: no loop.
 */
public class CsvEtl implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    static final List<String> COLUMNS = List.of("id", "name", "email", "amount");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one file became. */
    record Split(List<ObjectNode> clean, List<ObjectNode> rejected) {}

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        int files = 0;
        for (Object r : (List<Object>) event.getOrDefault("Records", List.of())) {
            Map<String, Object> s3 = (Map<String, Object>) ((Map<String, Object>) r).get("s3");
            String bucket = (String) ((Map<String, Object>) s3.get("bucket")).get("name");
            String key = URLDecoder.decode((String) ((Map<String, Object>) s3.get("object")).get("key"),
                    StandardCharsets.UTF_8);
            if (!key.startsWith("incoming/") || !key.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
                System.out.println("skipped " + key);
                continue;
            }
            Split split = split(context.storage().get(bucket, key));
            String name = key.substring("incoming/".length(), key.length() - ".csv".length());
            context.storage().put(bucket, "clean/" + name + ".jsonl", jsonLines(split.clean()), "application/x-ndjson");
            context.storage().put(bucket, "rejected/" + name + ".jsonl", jsonLines(split.rejected()),
                    "application/x-ndjson");
            System.out.println("etl " + key + ": " + split.clean().size() + " clean, " + split.rejected().size()
                    + " rejected");
            files++;
        }
        return Map.of("files", files);
    }

    /** Parses and validates a whole CSV document. */
    static Split split(byte[] csv) {
        List<ObjectNode> clean = new ArrayList<>();
        List<ObjectNode> rejected = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                .setIgnoreEmptyLines(true).get();
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(csv), StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.parse(reader, format)) {
            if (!parser.getHeaderNames().equals(COLUMNS)) {
                rejected.add(rejection(1, List.of("the header must be " + String.join(",", COLUMNS) + ", not "
                        + String.join(",", parser.getHeaderNames())), parser.getHeaderNames()));
                return new Split(clean, rejected);
            }
            Iterator<CSVRecord> rows = parser.iterator();
            while (true) {
                CSVRecord row;
                try {
                    if (!rows.hasNext()) {
                        break;
                    }
                    row = rows.next();
                } catch (UncheckedIOException malformed) {
                    // e.g. a quote never closed: the rest of the file cannot be split into rows
                    rejected.add(rejection(parser.getCurrentLineNumber(), List.of("malformed CSV: "
                            + malformed.getCause().getMessage()), List.of()));
                    break;
                }
                List<String> fields = row.toList();
                long line = row.getRecordNumber() + 1; // the header is line 1
                if (!row.isConsistent()) {
                    rejected.add(rejection(line, List.of("malformed: expected " + COLUMNS.size() + " fields, got "
                            + fields.size()), fields));
                    continue;
                }
                List<String> reasons = new ArrayList<>();
                long id = 0;
                try {
                    id = Long.parseLong(row.get("id"));
                    if (id <= 0) {
                        reasons.add("id must be a positive integer");
                    }
                } catch (NumberFormatException e) {
                    reasons.add("id must be a positive integer, not '" + row.get("id") + "'");
                }
                if (row.get("name").isEmpty()) {
                    reasons.add("name is required");
                }
                if (!EMAIL.matcher(row.get("email")).matches()) {
                    reasons.add("email is not an address: '" + row.get("email") + "'");
                }
                BigDecimal amount = null;
                try {
                    amount = new BigDecimal(row.get("amount"));
                    if (amount.signum() < 0) {
                        reasons.add("amount must not be negative");
                    }
                } catch (NumberFormatException e) {
                    reasons.add("amount must be a number, not '" + row.get("amount") + "'");
                }
                if (!reasons.isEmpty()) {
                    rejected.add(rejection(line, reasons, fields));
                    continue;
                }
                ObjectNode record = JSON.createObjectNode();
                record.put("id", id);
                record.put("name", row.get("name"));
                record.put("email", row.get("email"));
                record.put("amount", amount);
                clean.add(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Split(clean, rejected);
    }

    private static ObjectNode rejection(long line, List<String> reasons, List<String> fields) {
        ObjectNode node = JSON.createObjectNode();
        node.put("line", line);
        reasons.forEach(node.putArray("reasons")::add);
        fields.forEach(node.putArray("fields")::add);
        return node;
    }

    private static byte[] jsonLines(List<ObjectNode> records) {
        StringBuilder out = new StringBuilder();
        for (ObjectNode record : records) {
            out.append(record).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
