/**
 * End users' mail (issue 15): SMTP delivery through Angus Mail from a durable outbox
 * ({@link dev.cumulus.mail.Mail}), its one state machine ({@code MailStateMachine}), templates
 * projects may override, per-project send limits, and the mail routes. Logs name a message's id,
 * template and recipient domain, never its body (it holds one-time links).
 */
package dev.cumulus.mail;
