import pkg from '../../package.json' with { type: 'json' };

/** Charter's version (package.json), printed by `charter --version` and recorded in every plan. */
export const CHARTER_VERSION: string = pkg.version;
