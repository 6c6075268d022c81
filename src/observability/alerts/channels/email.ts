/**
 * The e-mail channel: plain-text mail over SMTP (nodemailer). Connection failures and 4xx SMTP
 * replies are temporary (retried); 5xx replies refuse for good (RFC 5321 §4.2.1).
 *
 * @module
 */
import { createTransport } from 'nodemailer';
import { type AlertChannel, ChannelRejectedError, ChannelUnavailableError, subjectOf, textOf } from '../message.ts';

export interface EmailSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  to: string[];
}

export function emailChannel(s: EmailSettings): AlertChannel {
  const transport = createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name: 'email',
    async send(m) {
      try {
        await transport.sendMail({ from: s.from, to: s.to, subject: subjectOf(m), text: textOf(m), headers: { 'X-Alert-Id': String(m.eventId) } });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        const reason = err instanceof Error ? err.message : 'send failed';
        if (code !== undefined && code >= 500) throw new ChannelRejectedError('email', reason, err);
        throw new ChannelUnavailableError('email', reason, err);
      }
    },
  };
}
