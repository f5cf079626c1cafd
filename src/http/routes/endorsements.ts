// (routes being written)
import type { App, HttpContext } from '../context.ts';

export function endorsementRoutes(_app: App, _ctx: HttpContext): void {}
