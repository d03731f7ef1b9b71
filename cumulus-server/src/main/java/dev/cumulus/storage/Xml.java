package dev.cumulus.storage;

import dev.cumulus.errors.ApiException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * S3's XML: documents are written with {@link Writer} (elements and escaped text, nothing else
 * S3 needs) and read with the JDK's DOM parser, DTDs and external entities refused.
 */
final class Xml {
    static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";

    private Xml() {}

    static final class Writer {
        private final StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        private final List<String> open = new ArrayList<>();

        Writer(String root) {
            out.append('<').append(root).append(" xmlns=\"").append(NS).append("\">");
            open.add(root);
        }

        /** A root without the S3 namespace (errors). */
        static Writer plain(String root) {
            Writer w = new Writer(root, false);
            return w;
        }

        private Writer(String root, boolean ns) {
            out.append('<').append(root).append('>');
            open.add(root);
        }

        Writer start(String name) {
            out.append('<').append(name).append('>');
            open.add(name);
            return this;
        }

        Writer end() {
            out.append("</").append(open.removeLast()).append('>');
            return this;
        }

        Writer element(String name, Object text) {
            if (text == null) {
                return this;
            }
            out.append('<').append(name).append('>').append(escape(text.toString())).append("</").append(name).append('>');
            return this;
        }

        byte[] bytes() {
            while (!open.isEmpty()) {
                end();
            }
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        out.append("&#").append((int) c).append(';');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Parses a request body; 400 MalformedXML when it is not well-formed or has a DTD. */
    static Element parse(byte[] body) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            Document doc = builder.parse(new ByteArrayInputStream(body));
            return doc.getDocumentElement();
        } catch (Exception e) {
            throw new ApiException(400, "MalformedXML", "The XML you provided was not well-formed or did not validate"
                    + " against our published schema");
        }
    }

    /** The child elements of {@code parent} named {@code name} (local name, any namespace). */
    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.getFirst().getTextContent().strip();
    }

    static List<String> texts(Element parent, String name) {
        return children(parent, name).stream().map(e -> e.getTextContent().strip()).toList();
    }
}
