// (routes being written)
import type { App, HttpContext } from '../context.ts';

export function stakeholderRoutes(_app: App, _ctx: HttpContext): void {}
