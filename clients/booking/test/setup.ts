// Component tests run in jsdom and need IndexedDB for Dexie; browser tests run in Node and ignore this.
import 'fake-indexeddb/auto';
