import { idempotencyKey } from '@pti/api-client';
import { Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  ApiError,
  api,
  call,
  confirmOnSite,
  type HeldSlot,
  HOLD_LOST_CODES,
  type HoldBody,
  type PlaceBookingBody,
  type PlacedBooking,
  placeBooking,
  SLOT_GONE_CODES,
} from '../app/api.js';
import { startOnlinePayment } from '../app/payment.js';
import { forgetHold, letGo, useSlotHold } from '../app/slot-hold.js';
import { useAsync } from '../app/use-async.js';
import { HoldCountdown } from '../components/HoldCountdown.js';
import { useOnline } from '../components/OfflineBanner.js';
import { PlateField } from '../components/PlateField.js';
import { ProfileFields } from '../components/ProfileFields.js';
import {
  type ContactForm,
  type FieldErrors,
  normalisePhone,
  validateContact,
} from '../domain/contact-validation.js';
import { normalisePlate } from '../domain/plate.js';
import { CONTROL_LABELS, formatEuros, priceText, type VehicleProfile } from '../domain/vehicle-profile.js';
import { formatDateTime } from '../domain/week.js';
import { db } from '../storage/db.js';

export interface BookSearch extends VehicleProfile {
  readonly start: string;
  readonly previous?: string | undefined;
  readonly plate?: string | undefined;
}

type Step =
  | { kind: 'form' }
  | { kind: 'held'; placed: PlacedBooking; email: string; paymentMode: 'online' | 'on_site' }
  | { kind: 'expired'; title: string; message: string }
  | { kind: 'draft' };

const EXPIRED = {
  title: 'Le délai de 15 minutes est écoulé',
  message: 'Le créneau a été libéré. Vous pouvez en choisir un nouveau ; rien ne vous a été facturé.',
};

/** The form's fields top to bottom (their ids are the field names). */
const FORM_ORDER = ['plate', 'name', 'email', 'phone'] as const;

const EMPTY: ContactForm = { name: '', email: '', phone: '', plate: '', companyName: '', siret: '' };

/** The body of `POST /api/v1/bookings` from the form (values already validated). */
export function placeBody(
  centreId: string,
  search: BookSearch,
  profile: VehicleProfile,
  form: ContactForm,
  paymentMode: 'online' | 'on_site',
  hold?: HeldSlot,
): PlaceBookingBody {
  return {
    centreId,
    start: search.start,
    controlType: search.controlType,
    vehicle: {
      plate: normalisePlate(form.plate)?.plate ?? form.plate,
      category: profile.category,
      fuel: profile.fuel,
    },
    customer: {
      kind: 'private',
      name: form.name.trim(),
      email: form.email.trim(),
      phone: normalisePhone(form.phone) ?? form.phone,
    },
    channel: 'web',
    paymentMode,
    ...(search.previous ? { previousBookingReference: search.previous } : {}),
    ...(hold ? { hold: { id: hold.holdId, token: hold.holdToken } } : {}),
  };
}

/** The body of `POST /api/v1/holds`: the slot and what decides its duration. */
export function holdBody(centreId: string, start: string, profile: VehicleProfile): HoldBody {
  return {
    centreId,
    start,
    controlType: profile.controlType,
    vehicle: { category: profile.category, fuel: profile.fuel },
  };
}

export function BookPage({ centreId, search }: { centreId: string; search: BookSearch }) {
  const navigate = useNavigate();
  const online = useOnline();
  const [profile, setProfile] = useState<VehicleProfile>({
    category: search.category,
    fuel: search.fuel,
    controlType: search.controlType,
  });
  const [form, setForm] = useState<ContactForm>({ ...EMPTY, plate: search.plate ?? '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [paymentMode, setPaymentMode] = useState<'online' | 'on_site'>('online');
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [failure, setFailure] = useState<{ message: string; slotGone: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const centre = useAsync(
    () => call(api.queries.GET('/api/v1/centres/{centreId}', { params: { path: { centreId } } })),
    [centreId],
  );
  const centreName = centre.status === 'done' ? centre.value.name : 'le centre';
  // Picking the slot holds it, before the form; the countdown starts now.
  const slot = useMemo(() => holdBody(centreId, search.start, profile), [centreId, search.start, profile]);
  // Only the form asks for a hold: a draft or an ended hold must not take the slot again.
  const holding = useSlotHold(slot, online && step.kind === 'form');
  const hold = holding.kind === 'held' ? holding.hold : undefined;
  // Once the form has been shown with a hold, a failure to hold the slot for another vehicle is said
  // in the form (the person keeps what they typed); a failure on arrival is a page of its own.
  const everHeld = useRef(false);
  if (hold) everHeld.current = true;
  const holdFailed = holding.kind === 'failed' && !everHeld.current;

  // Each step's heading takes the focus, so keyboard and screen-reader users start there. The hold
  // arriving does not move it (the person may be typing already); failing to hold is a new page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the step changes
  useEffect(() => {
    heading.current?.focus();
  }, [step.kind, holdFailed]);

  const set = (field: keyof ContactForm) => (value: string) => {
    setForm((current) => ({ ...current, [field]: value }));
    // A message from the last submit goes once the field is edited (the plate's live check takes over).
    setErrors((current) => {
      if (current[field] === undefined) return current;
      const { [field]: _fixed, ...rest } = current;
      return rest;
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateContact(form, { company: false, plate: true });
    setErrors(found);
    // The focus goes to the first field in error in the order the form shows them.
    const firstInvalid = FORM_ORDER.find((field) => found[field] !== undefined);
    if (firstInvalid) {
      document.getElementById(firstInvalid)?.focus();
      return;
    }
    const body = placeBody(centreId, search, profile, form, paymentMode, hold);
    if (!online) {
      // The draft carries the hold when there is one; sent too late, it falls back to a plain
      // placement of the same slot (draft-sync.ts).
      await db.drafts.add({
        body,
        centreName,
        idempotencyKey: idempotencyKey(),
        status: 'pending',
        message: null,
        reference: null,
        createdAt: Date.now(),
      });
      setStep({ kind: 'draft' });
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const placed = await placeBooking(body);
      forgetHold(slot);
      await db.bookings.put({
        reference: placed.reference,
        bookingId: placed.bookingId,
        manageToken: placed.manageToken,
        email: body.customer.email,
        centreId,
        centreName,
        start: placed.start,
        controlType: body.controlType,
        plate: body.vehicle.plate,
        status: placed.status,
        siret: null,
        savedAt: Date.now(),
      });
      setStep({ kind: 'held', placed, email: body.customer.email, paymentMode });
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError(0, 'UNEXPECTED', 'Une erreur est survenue.');
      if (HOLD_LOST_CODES.has(apiError.code)) {
        forgetHold(slot);
        setStep(
          apiError.code === 'HOLD_EXPIRED'
            ? { kind: 'expired', ...EXPIRED }
            : { kind: 'expired', title: 'Ce créneau ne vous est plus réservé', message: apiError.message },
        );
      } else {
        setFailure({ message: apiError.message, slotGone: SLOT_GONE_CODES.has(apiError.code) });
      }
    } finally {
      setBusy(false);
    }
  };

  const onExpire = useCallback(() => {
    forgetHold(slot);
    setStep({ kind: 'expired', ...EXPIRED });
  }, [slot]);

  const finish = async () => {
    if (step.kind !== 'held') return;
    setBusy(true);
    setFailure(null);
    try {
      // Nothing to pay (a free contre-visite): confirmed at once, without the provider's page.
      if (step.paymentMode === 'online' && step.placed.priceCents > 0) {
        const url = await startOnlinePayment(step.placed.manageToken);
        window.location.assign(url);
        return;
      }
      await confirmOnSite(step.placed.bookingId, step.placed.manageToken);
      await db.bookings.update(step.placed.reference, { status: 'confirmed' });
      await navigate({ to: '/rendez-vous/confirmation', search: { reference: step.placed.reference } });
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError(0, 'UNEXPECTED', 'Une erreur est survenue.');
      setFailure({ message: apiError.message, slotGone: SLOT_GONE_CODES.has(apiError.code) });
      setBusy(false);
    }
  };

  const backToCalendar = (
    <Link
      to="/centres/$centreId"
      params={{ centreId }}
      search={{ ...profile, week: undefined, previous: search.previous }}
      onClick={() => {
        // A hold not yet booked is let go at once, so the slot is free for others.
        if (step.kind === 'form' && hold) letGo(hold, slot);
      }}
    >
      Choisir un autre créneau
    </Link>
  );

  if (step.kind === 'draft') {
    return (
      <div className="page">
        <h1 ref={heading} tabIndex={-1}>
          Réservation enregistrée sur cet appareil
        </h1>
        <p>
          Vous êtes hors connexion. Votre demande pour le {formatDateTime(search.start)} chez {centreName}{' '}
          sera envoyée automatiquement dès le retour du réseau. Si le créneau a été pris entre-temps, nous
          vous le dirons.
        </p>
        <p>
          <Link to="/mes-rendez-vous">Voir mes rendez-vous</Link>
        </p>
      </div>
    );
  }
  if (step.kind === 'expired') {
    return (
      <div className="page">
        <h1 ref={heading} tabIndex={-1}>
          {step.title}
        </h1>
        <p role="alert">{step.message}</p>
        <p>{backToCalendar}</p>
      </div>
    );
  }
  if (step.kind === 'held') {
    const { placed } = step;
    return (
      <div className="page">
        <h1 ref={heading} tabIndex={-1}>
          Finalisez votre réservation
        </h1>
        <HoldCountdown expiresAt={placed.holdExpiresAt} onExpire={onExpire} />
        <section className="card">
          <h2>Récapitulatif</h2>
          <dl className="facts">
            <div>
              <dt>Centre</dt>
              <dd>{centreName}</dd>
            </div>
            <div>
              <dt>Date</dt>
              <dd>{formatDateTime(placed.start)}</dd>
            </div>
            <div>
              <dt>Contrôle</dt>
              <dd>{CONTROL_LABELS[search.controlType]}</dd>
            </div>
            <div>
              <dt>Prix</dt>
              <dd data-testid="price">{priceText(placed.priceCents, search.controlType)}</dd>
            </div>
            <div>
              <dt>Référence</dt>
              <dd>{placed.reference}</dd>
            </div>
          </dl>
        </section>
        {failure ? (
          <div role="alert" className="banner banner-error">
            {failure.message} {failure.slotGone ? backToCalendar : null}
          </div>
        ) : null}
        <div className="actions">
          <button type="button" className="button-primary" onClick={() => void finish()} disabled={busy}>
            {step.paymentMode === 'online' && placed.priceCents > 0
              ? `Payer ${formatEuros(placed.priceCents)} en ligne`
              : placed.priceCents === 0
                ? 'Confirmer le rendez-vous'
                : 'Confirmer le rendez-vous (paiement sur place)'}
          </button>
          {step.paymentMode === 'online' && placed.priceCents > 0 ? (
            <button
              type="button"
              className="button-secondary"
              disabled={busy}
              onClick={() => setStep({ ...step, paymentMode: 'on_site' })}
            >
              Payer plutôt sur place
            </button>
          ) : null}
        </div>
      </div>
    );
  }

  if (holding.kind === 'failed' && holdFailed) {
    return (
      <div className="page">
        <h1 ref={heading} tabIndex={-1}>
          Ce créneau n’a pas pu vous être réservé
        </h1>
        <p role="alert">{holding.error.message}</p>
        <p>{backToCalendar}</p>
      </div>
    );
  }

  return (
    <div className="page">
      <h1 ref={heading} tabIndex={-1}>
        Vos coordonnées
      </h1>
      {hold ? (
        <HoldCountdown expiresAt={hold.holdExpiresAt} onExpire={onExpire} />
      ) : holding.kind === 'failed' ? (
        <div role="alert" className="banner banner-error">
          Ce créneau ne peut pas vous être réservé pour ce véhicule : {holding.error.message} {backToCalendar}
        </div>
      ) : holding.kind === 'holding' ? (
        <p role="status" className="hint">
          Réservation du créneau…
        </p>
      ) : (
        <p className="hint">
          Hors connexion : le créneau n’est pas encore réservé. Votre demande sera envoyée au retour du
          réseau.
        </p>
      )}
      <p className="lead">
        {CONTROL_LABELS[search.controlType]} le {formatDateTime(search.start)} — {centreName}
        {search.previous ? ` (contre-visite du contrôle ${search.previous})` : ''}
      </p>
      {search.previous ? (
        <p className="hint" data-testid="contre-visite-hint">
          Contre-visite : elle est gratuite lorsqu’elle a lieu dans le délai du centre après le premier
          contrôle. Le prix appliqué s’affiche à l’étape suivante, avant tout paiement.
        </p>
      ) : null}
      <p className="hint">
        Le créneau vous est réservé 15 minutes, le temps de remplir ce formulaire puis de payer ou de
        confirmer. Tous les champs sont obligatoires.
      </p>
      {failure ? (
        <div role="alert" className="banner banner-error">
          {failure.message} {failure.slotGone ? backToCalendar : null}
        </div>
      ) : null}
      <form onSubmit={(event) => void submit(event)} noValidate className="card">
        <ProfileFields profile={profile} onChange={setProfile} showControl={false} />
        <PlateField id="plate" value={form.plate} onChange={set('plate')} error={errors.plate} />
        <fieldset>
          <legend>Vos coordonnées</legend>
          <TextField
            id="name"
            label="Nom et prénom"
            autoComplete="name"
            value={form.name}
            onChange={set('name')}
            error={errors.name}
          />
          <TextField
            id="email"
            label="Adresse e-mail"
            type="email"
            autoComplete="email"
            value={form.email}
            onChange={set('email')}
            error={errors.email}
          />
          <TextField
            id="phone"
            label="Téléphone"
            type="tel"
            autoComplete="tel"
            value={form.phone}
            onChange={set('phone')}
            error={errors.phone}
          />
        </fieldset>
        <fieldset>
          <legend>Paiement</legend>
          <label className="choice">
            <input
              type="radio"
              name="payment"
              value="online"
              checked={paymentMode === 'online'}
              onChange={() => setPaymentMode('online')}
            />{' '}
            Payer en ligne maintenant (carte bancaire)
          </label>
          <label className="choice">
            <input
              type="radio"
              name="payment"
              value="on_site"
              checked={paymentMode === 'on_site'}
              onChange={() => setPaymentMode('on_site')}
            />{' '}
            Payer sur place le jour du contrôle
          </label>
        </fieldset>
        <div className="actions">
          <button
            type="submit"
            className="button-primary"
            disabled={busy || holding.kind === 'holding' || holding.kind === 'failed'}
          >
            {busy ? 'Réservation…' : 'Réserver ce créneau'}
          </button>
          {backToCalendar}
        </div>
      </form>
    </div>
  );
}

export function TextField({
  id,
  label,
  value,
  onChange,
  error,
  type = 'text',
  autoComplete,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  type?: string;
  autoComplete?: string;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={id}
        type={type}
        autoComplete={autoComplete}
        value={value}
        aria-invalid={error !== undefined}
        aria-describedby={`${hint ? `${id}-hint ` : ''}${id}-error`}
        onChange={(event) => onChange(event.target.value)}
      />
      <p id={`${id}-error`} className="field-error">
        {error ?? ''}
      </p>
    </div>
  );
}
