// Types of verify-bundle.mjs (plain JavaScript so that it runs with Node alone).
export declare const BUNDLE_FORMAT: 'wps-consult-export/1';
export declare function canonicalJson(value: unknown): string;
/** Every finding about a parsed bundle against the trusted public key (PEM); [] when everything holds. */
export declare function checkBundle(bundle: unknown, trustedPublicKeyPem: string): string[];
export declare function main(argv: string[]): number;
