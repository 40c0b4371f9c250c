import type { SqlExecutor } from '@pti/platform';
import { assertSchema } from '../runtime/sql-names.js';

/**
 * The sagas' part in erasure (GDPR): their tables copy personal data out of events (names,
 * addresses, phone numbers, message bodies). Structurally an `ErasureParticipant` of the platform's
 * personal-data registry: the composition root registers it beside the read models'.
 *
 * Erasure deletes the subject's outbox messages, notification and waitlist rows (nothing more is
 * ever sent to them) and blanks the contact fields of AdelSoft rows (kept for the sync state).
 */
export interface SagasErasureParticipant {
  readonly name: string;
  scrub(subjectId: string): Promise<number>;
  export(subjectId: string): Promise<unknown>;
}

const ERASED = '[effacé]';

async function tableExists(sql: SqlExecutor, schema: string, table: string): Promise<boolean> {
  const { rows } = await sql.query<{ found: string | null }>('select to_regclass($1)::text as found', [
    `${schema}.${table}`,
  ]);
  return rows[0]?.found !== null && rows[0]?.found !== undefined;
}

export function sagasErasureParticipant(sql: SqlExecutor, schema: string): SagasErasureParticipant {
  const s = assertSchema(schema);
  const count = async (table: string, statement: string, subjectId: string): Promise<number> => {
    if (!(await tableExists(sql, s, table))) return 0;
    return (await sql.query(statement, [subjectId])).rows.length;
  };
  return {
    name: 'sagas',
    async scrub(subjectId) {
      let touched = 0;
      touched += await count(
        'outbox',
        `delete from ${s}.outbox where subject_id = $1 returning id`,
        subjectId,
      );
      touched += await count(
        'notify_bookings',
        `delete from ${s}.notify_bookings where customer_id = $1 returning booking_id`,
        subjectId,
      );
      touched += await count(
        'waitlist_entries',
        `delete from ${s}.waitlist_entries where customer_id = $1 returning entry_id`,
        subjectId,
      );
      touched += await count(
        'adelsoft_bookings',
        `update ${s}.adelsoft_bookings
            set customer_name = '${ERASED}', customer_phone = '${ERASED}', customer_email = '${ERASED}'
          where customer_id = $1 and customer_name <> '${ERASED}' returning booking_id`,
        subjectId,
      );
      return touched;
    },
    async export(subjectId) {
      const rowsOf = async (table: string, statement: string) =>
        (await tableExists(sql, s, table)) ? (await sql.query(statement, [subjectId])).rows : [];
      return {
        messages: await rowsOf(
          'outbox',
          `select template, channel, recipient, subject, body, status, created_at, sent_at
             from ${s}.outbox where subject_id = $1 order by created_at`,
        ),
        waitlist: await rowsOf(
          'waitlist_entries',
          `select entry_id, centre_id, date, email, phone, status from ${s}.waitlist_entries where customer_id = $1`,
        ),
      };
    },
  };
}
