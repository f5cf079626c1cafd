// The reply page's one stylesheet, served at STYLESHEET_PATH (the CSP allows styles from this
// origin only: no inline style). Plain, readable, high contrast; a visible focus for keyboard users.
export const STYLESHEET_PATH = '/r/-/page.css';

export const STYLESHEET = `
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 100%; line-height: 1.5; color: #1a1a1a; background: #ffffff; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; }
a { color: #0b4a8b; }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #b35900; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { position: static; }
header { border-bottom: 1px solid #767676; margin-bottom: 1rem; }
.languages { list-style: none; display: flex; gap: 1rem; padding: 0; margin: 0.5rem 0; }
.languages a[aria-current="page"] { font-weight: bold; text-decoration: none; color: #1a1a1a; }
h1 { font-size: 1.6rem; line-height: 1.25; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-top: 1px solid #d0d0d0; padding-top: 1rem; }
h3 { font-size: 1.1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
label { display: block; font-weight: bold; margin-top: 0.75rem; }
input, select, textarea { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: 0.4rem; border: 1px solid #595959; border-radius: 3px; background: #ffffff; color: #1a1a1a; }
button { margin-top: 0.75rem; font: inherit; padding: 0.5rem 1rem; border: 2px solid #0b4a8b; border-radius: 4px; background: #0b4a8b; color: #ffffff; cursor: pointer; }
button.secondary { background: #ffffff; color: #0b4a8b; }
form.inline { display: inline-block; margin-right: 1rem; }
.hint { color: #4a4a4a; margin: 0.25rem 0; }
.field-error { color: #a00000; font-weight: bold; margin: 0.25rem 0; }
.notice { border-left: 6px solid #1e6b30; background: #eef7f0; padding: 0.5rem 1rem; }
.problem { border-left: 6px solid #a00000; background: #fbeeee; padding: 0.5rem 1rem; }
.problem h2 { border: 0; margin: 0; padding: 0; font-size: 1.1rem; }
.note { background: #f4f4f4; padding: 0.5rem; }
ol.comments { padding-left: 1.25rem; }
ol.comments li { margin-bottom: 1.5rem; }
.ref { font-family: ui-monospace, Consolas, monospace; background: #e8eef6; padding: 0 0.3rem; }
.meta { color: #4a4a4a; margin: 0; }
blockquote { margin: 0.5rem 0; padding-left: 0.75rem; border-left: 3px solid #b0b0b0; }
.answer { background: #f4f7fb; padding: 0.25rem 0.75rem; }
`;
