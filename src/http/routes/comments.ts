// (routes being written)
import type { App, HttpContext } from '../context.ts';

export function commentRoutes(_app: App, _ctx: HttpContext): void {}
