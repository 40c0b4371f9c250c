import { instantToLocal } from '@pti/write-side/domain';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { appointmentTimes } from '../bookings/appointment-times.js';
import {
  CONTROL_LABELS,
  formatEuros,
  formatLongDate,
  formatTime,
  STATUS_LABELS,
  vehicleLine,
} from '../bookings/french-labels.js';
import { ARRIVAL_ADVICE, whatToBring } from '../bookings/what-to-bring.js';
import type { BookingRecord } from '../ports/read-models.js';
import { isCancelledForCalendar } from './booking-calendar-file.js';

/**
 * The printable confirmation of a booking (A4, French): reference with its QR code, centre and
 * address, date and time, control, vehicle, price, what to bring, where to manage the booking.
 * The QR code holds the reference only (the centre scans it at check-in); it is drawn as vector
 * squares, so it prints sharp at any size. Standard PDF fonts (Helvetica, WinAnsi) cover French.
 */

export interface ConfirmationSettings {
  readonly manageUrl: (reference: string) => string;
}

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const INK = '#1b2733';
const MUTED = '#5b6672';
const BRAND = '#1f3a5f';
const ALERT = '#b3261e';
const LABEL_WIDTH = 110;

/** The QR code of `text` drawn at (x, y), `size` points wide, quiet zone included. */
function drawQrCode(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const cell = size / (modules.size + 2 * quiet);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  doc.fillColor('#000000');
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) {
        // A hair of overlap so adjacent squares print without seams.
        doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell + 0.1, cell + 0.1);
      }
    }
  }
  doc.fill('#000000').restore();
}

function priceLine(booking: BookingRecord): string {
  if (booking.priceCents === 0) return 'Gratuit';
  const price = formatEuros(booking.priceCents);
  const due = booking.priceCents - booking.paidCents;
  if (due <= 0) return `${price} — payé en ligne`;
  if (booking.paidCents === 0) return `${price} — à régler au centre`;
  return `${price} — dont ${formatEuros(due)} à régler au centre`;
}

function detailRows(booking: BookingRecord): [string, string][] {
  const { centre } = booking;
  const times = appointmentTimes(booking.start, booking.durationMinutes, centre.timeZone);
  const centreLines = [
    centre.name,
    centre.address,
    `${centre.postcode} ${centre.city}`,
    ...(centre.phone === null ? [] : [`Tél. ${centre.phone}`]),
  ];
  return [
    ['Date', formatLongDate(booking.start.slice(0, 10))],
    [
      'Heure',
      `${formatTime(booking.start.slice(11, 16))} – ${formatTime(times.end.slice(11, 16))} (${booking.durationMinutes} min)`,
    ],
    ['Centre', centreLines.join('\n')],
    ['Contrôle', `${CONTROL_LABELS[booking.controlType]} (${booking.controlType})`],
    ['Véhicule', vehicleLine(booking.vehicle)],
    ['Prix', priceLine(booking)],
    ...(booking.customer.name === null ? [] : ([['Au nom de', booking.customer.name]] as [string, string][])),
    ['Statut', STATUS_LABELS[booking.status]],
  ];
}

function sectionTitle(doc: PDFKit.PDFDocument, title: string): void {
  doc.moveDown(1.2).font('Helvetica-Bold').fontSize(13).fillColor(BRAND).text(title, PAGE.margin);
  doc.moveDown(0.3);
}

function paragraph(doc: PDFKit.PDFDocument, text: string, width: number): void {
  doc.font('Helvetica').fontSize(10.5).fillColor(INK).text(text, PAGE.margin, doc.y, { width });
}

function link(doc: PDFKit.PDFDocument, url: string, width: number): void {
  doc.moveDown(0.3).fillColor('#0b57d0').text(url, PAGE.margin, doc.y, { width, link: url, underline: true });
}

/** Renders the confirmation; resolves with the PDF bytes. */
export function bookingConfirmationPdf(
  booking: BookingRecord,
  settings: ConfirmationSettings,
): Promise<Buffer> {
  const manageUrl = settings.manageUrl(booking.reference);
  const generatedAt = new Date(booking.updatedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    lang: 'fr-FR',
    displayTitle: true,
    info: {
      Title: `Confirmation de rendez-vous ${booking.reference}`,
      Subject: `${CONTROL_LABELS[booking.controlType]} — ${booking.centre.name}`,
      Author: 'PTI Calendar',
      Keywords: `contrôle technique, rendez-vous, ${booking.reference}`,
      // The booking's last change, not the render time: one version of a booking, one document.
      CreationDate: generatedAt,
      ModDate: generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const contentWidth = PAGE.width - 2 * PAGE.margin;
  // Header band.
  doc.rect(0, 0, PAGE.width, 78).fill(BRAND);
  doc.font('Helvetica-Bold').fontSize(20).fillColor('#ffffff').text('PTI Calendar', PAGE.margin, 22);
  doc.font('Helvetica').fontSize(10).text('Réservation de contrôle technique', PAGE.margin, 48);

  // Title, reference and QR code.
  const qrSize = 118;
  const qrX = PAGE.width - PAGE.margin - qrSize;
  drawQrCode(doc, booking.reference, qrX, 100, qrSize);
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor(MUTED)
    .text(`Référence ${booking.reference}`, qrX, 100 + qrSize + 4, { width: qrSize, align: 'center' });
  doc
    .font('Helvetica-Bold')
    .fontSize(22)
    .fillColor(INK)
    .text('Confirmation de rendez-vous', PAGE.margin, 104, { width: contentWidth - qrSize - 20 });
  if (isCancelledForCalendar(booking.status)) {
    doc.moveDown(0.3).font('Helvetica-Bold').fontSize(12).fillColor(ALERT).text('RENDEZ-VOUS ANNULÉ');
  }
  doc.moveDown(0.6).font('Helvetica').fontSize(10).fillColor(MUTED).text('Référence de réservation');
  doc.font('Helvetica-Bold').fontSize(26).fillColor(INK).text(booking.reference, { characterSpacing: 2 });

  // Details.
  let y = Math.max(doc.y, 100 + qrSize + 24) + 14;
  doc
    .moveTo(PAGE.margin, y)
    .lineTo(PAGE.width - PAGE.margin, y)
    .lineWidth(0.5)
    .strokeColor('#c9d1d9')
    .stroke();
  y += 12;
  for (const [label, value] of detailRows(booking)) {
    doc.font('Helvetica').fontSize(10).fillColor(MUTED).text(label, PAGE.margin, y, { width: LABEL_WIDTH });
    doc
      .font('Helvetica-Bold')
      .fontSize(11)
      .fillColor(INK)
      .text(value, PAGE.margin + LABEL_WIDTH, y, { width: contentWidth - LABEL_WIDTH });
    y = doc.y + 8;
  }

  doc.y = y;
  if (isCancelledForCalendar(booking.status)) {
    sectionTitle(doc, 'Reprendre rendez-vous');
    paragraph(doc, 'Ce rendez-vous a été annulé. Vous pouvez en prendre un nouveau en ligne :', contentWidth);
    link(doc, manageUrl, contentWidth);
  } else {
    sectionTitle(doc, 'À apporter');
    doc
      .font('Helvetica')
      .fontSize(11)
      .fillColor(INK)
      .list(whatToBring(booking), PAGE.margin + 6, doc.y, {
        bulletRadius: 2,
        textIndent: 12,
        width: contentWidth - 6,
      });
    doc
      .moveDown(0.4)
      .fontSize(10)
      .fillColor(MUTED)
      .text(ARRIVAL_ADVICE, PAGE.margin, doc.y, { width: contentWidth });

    sectionTitle(doc, 'Modifier ou annuler');
    paragraph(
      doc,
      'Vous pouvez déplacer ou annuler ce rendez-vous en ligne, avec votre référence et l’adresse e-mail ou la plaque d’immatriculation indiquée lors de la réservation :',
      contentWidth,
    );
    link(doc, manageUrl, contentWidth);
  }

  // Footer, below the bottom margin (which would otherwise start a new page).
  doc.page.margins.bottom = 0;
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor(MUTED)
    .text(
      `PTI Calendar — réservation ${booking.reference} — document établi le ${formatLongDate(
        instantToLocal(generatedAt, booking.centre.timeZone).date,
      )}`,
      PAGE.margin,
      PAGE.height - 36,
      { width: contentWidth, align: 'center', lineBreak: false },
    );

  doc.end();
  return done;
}
