// The MITM certificate authority and the leaf certificates minted for allowlisted hosts.
export { caDir, checkKeyFileMode, generateCa, loadCaFiles, loadOrCreateCa, writeCaFiles, CA_CERT_FILE, CA_KEY_FILE, type CertAuthority } from './ca.js';
export { CertError } from './errors.js';
export { LeafCache, type LeafCacheOptions } from './leaf-cache.js';
export { createLeafIssuer, LEAF_NOT_AFTER_MS, LEAF_NOT_BEFORE_MS, type Leaf, type LeafIssuer } from './leaf.js';
