import {
  control,
  divIcon,
  type LatLngExpression,
  type Map as LeafletMap,
  latLngBounds,
  map as leafletMap,
  marker,
  tileLayer,
} from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useReducer, useRef } from 'react';
import type { MapConfig } from './map-config.js';
import { INITIAL_TILES, trackTiles } from './tile-status.js';

/**
 * The results on a map (Leaflet, raster tiles). This module is only loaded when the map is shown,
 * so Leaflet never weighs on the landing page. The list stays the primary path: the map repeats it
 * and adds nothing that is not in the list.
 *
 * Keyboard: every centre is a button (Tab), Enter or Space opens its bubble and moves the focus to
 * its link, Escape closes it and gives the focus back to the pin. When tiles cannot be had
 * (offline, tile server blocked or down) a notice says so; the pins still show where centres are.
 */

export interface MapCentre {
  readonly centreId: string;
  readonly name: string;
  readonly address: string;
  readonly lat: number;
  readonly lon: number;
  readonly priceLabel: string;
  readonly slotLabel: string;
  /** The centre page's address (a real link: it opens in a new tab too). */
  readonly href: string;
}

/** No tile after this long counts as "unavailable" (a tile server that never answers fires no error). */
const TILE_WATCHDOG_MS = 10_000;

function popupContent(centre: MapCentre, onOpen: () => void, onEscape: () => void): HTMLElement {
  const root = document.createElement('div');
  root.className = 'map-popup';
  const name = document.createElement('p');
  name.className = 'map-popup-name';
  name.textContent = centre.name;
  const address = document.createElement('p');
  address.textContent = centre.address;
  const facts = document.createElement('p');
  facts.textContent = `Prix : ${centre.priceLabel} — Premier créneau : ${centre.slotLabel}`;
  const link = document.createElement('a');
  link.className = 'map-popup-link';
  link.href = centre.href;
  link.textContent = `Voir les créneaux de ${centre.name}`;
  link.addEventListener('click', (event) => {
    // A plain click stays in the app (client-side navigation); modified clicks open a new tab.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen();
  });
  root.append(name, address, facts, link);
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onEscape();
    }
  });
  return root;
}

export function ResultsMap({
  centres,
  config,
  onOpenCentre,
  origin,
}: {
  centres: readonly MapCentre[];
  config: MapConfig;
  onOpenCentre: (centreId: string) => void;
  origin?: { lat: number; lon: number } | undefined;
}) {
  const container = useRef<HTMLElement>(null);
  const [tiles, dispatch] = useReducer(trackTiles, INITIAL_TILES);
  const open = useRef(onOpenCentre);
  open.current = onOpenCentre;

  useEffect(() => {
    const element = container.current;
    if (!element || centres.length === 0) return;
    const map: LeafletMap = leafletMap(element, {
      zoomControl: false,
      scrollWheelZoom: false,
      keyboard: true,
    });
    control.zoom({ zoomInTitle: 'Zoom avant', zoomOutTitle: 'Zoom arrière' }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');

    const layer = tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 19 });
    layer.on('loading', () => dispatch({ type: 'round-started' }));
    layer.on('tileload', () => dispatch({ type: 'tile-loaded' }));
    layer.on('tileerror', () => dispatch({ type: 'tile-failed' }));
    layer.on('load', () => dispatch({ type: 'round-done' }));
    const watchdog = setTimeout(() => dispatch({ type: 'no-tile-in-time' }), TILE_WATCHDOG_MS);

    // The view first: Leaflet only draws a layer (and so a pin's element) on a map that has one.
    const points: LatLngExpression[] = centres.map((centre) => [centre.lat, centre.lon]);
    if (origin) points.push([origin.lat, origin.lon]);
    if (points.length === 1 && points[0]) map.setView(points[0], 13);
    else map.fitBounds(latLngBounds(points), { padding: [56, 40], maxZoom: 14 });

    for (const centre of centres) {
      const label = document.createElement('span');
      label.className = 'map-pin-label';
      label.textContent = centre.priceLabel;
      const pin = marker([centre.lat, centre.lon], {
        icon: divIcon({ className: 'map-pin', html: label, iconSize: [0, 0] }),
        keyboard: true,
        title: centre.name,
        riseOnHover: true,
      });
      pin.bindPopup(
        popupContent(
          centre,
          () => open.current(centre.centreId),
          () => {
            pin.closePopup();
            pin.getElement()?.focus();
          },
        ),
        { maxWidth: 260, autoPanPadding: [16, 16] },
      );
      pin.addTo(map);
      const element = pin.getElement();
      element?.setAttribute(
        'aria-label',
        `${centre.name} — ${centre.priceLabel} — premier créneau : ${centre.slotLabel}`,
      );
      element?.setAttribute('data-centre-id', centre.centreId);
      // Leaflet opens the bubble on Enter; a button opens on Space too.
      element?.addEventListener('keydown', (event) => {
        if (event.key === ' ') {
          event.preventDefault();
          pin.openPopup();
        }
      });
    }

    map.on('popupopen', (event) => {
      const bubble = event.popup.getElement();
      bubble?.querySelector('.leaflet-popup-close-button')?.setAttribute('aria-label', 'Fermer');
      bubble?.querySelector<HTMLAnchorElement>('a.map-popup-link')?.focus({ preventScroll: true });
    });

    layer.addTo(map);

    return () => {
      clearTimeout(watchdog);
      map.remove();
    };
  }, [centres, config, origin]);

  return (
    <div className="results-map-frame" data-tiles={tiles.status}>
      {tiles.status === 'unavailable' ? (
        <p role="status" className="map-notice">
          Carte indisponible hors connexion ou sans accès au fond de carte : la liste des centres ci-dessous
          reste complète.
        </p>
      ) : null}
      <section
        ref={container}
        className="results-map"
        aria-label="Carte des centres trouvés (chaque centre est un bouton)"
      />
    </div>
  );
}

export default ResultsMap;
