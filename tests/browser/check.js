// Opens pages of the HTML report in Debian's headless Chromium (through playwright-core, no
// browser download) and fails on anything that did not load: a failed request, an HTTP error,
// a request that leaves the machine, an image that did not decode, a console or page error.
// Saves into OUT a full-page screenshot of each page, on screen and as printed, and its PDF.
//   node check.js OUT PAGE.html...
'use strict';
const path = require('path');
const { launch } = require('./launch');

async function main() {
	const [out, ...pages] = process.argv.slice(2);
	if (!out || !pages.length) {
		console.error('usage: node check.js OUT PAGE.html...');
		return 2;
	}
	const problems = [];
	let images = 0;
	const browser = await launch({ width: 1200, height: 900 });
	const context = browser.context;
	try {
		// only the page's own file and data: URIs may load; anything else is a network reference
		await context.route('**/*', (route) => {
			const url = route.request().url();
			if (url.startsWith('file:') || url.startsWith('data:'))
				return route.continue();
			problems.push(`network request: ${url}`);
			return route.abort();
		});
		for (const file of pages) {
			const page = await context.newPage();
			const name = path.basename(file, '.html');
			page.on('requestfailed', (r) => problems.push(`${name}: failed to load ${r.url().slice(0, 120)}: ${r.failure().errorText}`));
			page.on('response', (r) => { if (r.status() >= 400) problems.push(`${name}: ${r.status()} for ${r.url()}`); });
			page.on('console', (m) => { if (m.type() === 'error') problems.push(`${name}: console: ${m.text()}`); });
			page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
			await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
			const broken = await page.evaluate(() => Array.from(document.images)
				.filter((i) => !i.complete || i.naturalWidth === 0)
				.map((i) => i.getAttribute('alt') || i.getAttribute('src').slice(0, 80)));
			for (const b of broken)
				problems.push(`${name}: image did not load: ${b}`);
			images += await page.evaluate(() => document.images.length);
			await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
			// as printed: the print stylesheet and its @page size
			await page.pdf({ path: path.join(out, `${name}.pdf`), preferCSSPageSize: true,
				printBackground: true });
			await page.emulateMedia({ media: 'print' });
			await page.screenshot({ path: path.join(out, `${name}-print.png`), fullPage: true });
			await page.close();
		}
	} finally {
		await browser.close();
	}
	// sorted: the order events arrive in is not fixed
	for (const p of problems.sort())
		console.log(p);
	console.log(`${pages.length} pages, ${images} images, ${problems.length} problems`);
	return problems.length ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => { console.error(e.message); process.exit(3); });
