package dev.cumulus.mail;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/** Hands one message to a relay with Angus Mail and says what came of it, for the state machine. */
final class SmtpSender {
    private static final String TIMEOUT_MS = "10000";

    private SmtpSender() {}

    static MailStateMachine.Outcome send(SmtpServer relay, String from, String to, String subject, String body) {
        String protocol = relay.tls() ? "smtps" : "smtp";
        Properties props = new Properties();
        props.put("mail." + protocol + ".host", relay.host());
        props.put("mail." + protocol + ".port", String.valueOf(relay.port()));
        props.put("mail." + protocol + ".connectiontimeout", TIMEOUT_MS);
        props.put("mail." + protocol + ".timeout", TIMEOUT_MS);
        props.put("mail." + protocol + ".writetimeout", TIMEOUT_MS);
        props.put("mail." + protocol + ".auth", String.valueOf(relay.user() != null));
        if (!relay.tls()) {
            props.put("mail.smtp.starttls.enable", "true"); // when the relay offers it
        } else {
            props.put("mail.smtps.ssl.checkserveridentity", "true");
        }
        Session session = Session.getInstance(props);
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(from, true));
            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to, true));
            message.setSubject(subject, "UTF-8");
            message.setText(body, "UTF-8");
            message.setSentDate(new Date());
            try (Transport transport = session.getTransport(protocol)) {
                transport.connect(relay.host(), relay.port(), relay.user(), relay.password());
                transport.sendMessage(message, message.getAllRecipients());
            }
            return new MailStateMachine.Outcome.Sent();
        } catch (AddressException e) {
            return new MailStateMachine.Outcome.Permanent("bad address: " + e.getMessage());
        } catch (SMTPAddressFailedException e) {
            return e.getReturnCode() >= 500 ? new MailStateMachine.Outcome.Permanent("relay refused the recipient: "
                    + e.getReturnCode()) : new MailStateMachine.Outcome.Transient("relay deferred the recipient: "
                    + e.getReturnCode());
        } catch (SMTPSendFailedException e) {
            return e.getReturnCode() >= 500 ? new MailStateMachine.Outcome.Permanent("relay refused the message: "
                    + e.getReturnCode()) : new MailStateMachine.Outcome.Transient("relay deferred the message: "
                    + e.getReturnCode());
        } catch (SendFailedException e) {
            return new MailStateMachine.Outcome.Permanent("relay refused the message");
        } catch (MessagingException e) {
            // not connected, timed out, TLS or login failed: the relay may be back later
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new MailStateMachine.Outcome.Transient(cause.getClass().getSimpleName() + ": "
                    + String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
        }
    }
}
