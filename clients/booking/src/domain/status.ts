export const STATUS_LABELS: Record<string, string> = {
  placed: 'En attente de confirmation',
  confirmed: 'Confirmé',
  checked_in: 'Véhicule accueilli',
  completed: 'Contrôle effectué',
  cancelled: 'Annulé',
  expired: 'Expiré (non confirmé à temps)',
  no_show: 'Absent',
};

export const statusLabel = (status: string): string => STATUS_LABELS[status] ?? status;
