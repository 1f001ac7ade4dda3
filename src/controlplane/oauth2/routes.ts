import type { Router } from '../../server/router.js';
import type { ControlPlaneContext } from '../deps.js';

export function registerOAuth2Routes(_router: Router, _cp: ControlPlaneContext): void {}
