import { storeContract } from './store-contract.ts';
import { forEachEngine } from './test-engines.ts';

forEachEngine('Store contract', storeContract);
