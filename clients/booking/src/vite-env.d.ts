/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Tile URL template of the results map; empty turns the map off (see src/map/map-config.ts). */
  readonly VITE_MAP_TILE_URL?: string;
  /** HTML attribution shown on the map (the tile provider's licence). */
  readonly VITE_MAP_ATTRIBUTION?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
