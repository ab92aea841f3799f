/** The lbw version that export headers name: package.json's, bundled at build time. */
import pkg from '../../package.json';

export const LBW_VERSION: string = pkg.version;
