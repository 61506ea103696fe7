// How the ranking of index.html lays out when printed: in Debian's headless Chromium (through
// playwright-core), print media, the width of an A4 landscape page inside the report's 14 mm
// margins. Prints the rows of the ranking table, how many have a commune's name or class on
// more than one line, whether the table ends on the first page, and whether the print
// stylesheet keeps it whole (break-inside: avoid).
//   node ranking-print.js PAGE.html
'use strict';
const path = require('path');
const { launch } = require('./launch');

const MM = 96 / 25.4; // CSS pixels per millimetre
const PAGE = { width: Math.floor((297 - 28) * MM), height: Math.floor((210 - 28) * MM) };

async function main() {
	const [file] = process.argv.slice(2);
	if (!file) {
		console.error('usage: node ranking-print.js PAGE.html');
		return 2;
	}
	const browser = await launch(PAGE);
	try {
		const page = await browser.context.newPage();
		await page.emulateMedia({ media: 'print' });
		await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
		const got = await page.evaluate(() => {
			// lines of a cell's text: the distinct tops of its line boxes
			const lines = (cell) => {
				const range = document.createRange();
				range.selectNodeContents(cell);
				return new Set(Array.from(range.getClientRects())
					.filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
			};
			const rows = Array.from(document.querySelectorAll('table.ranking tbody tr'));
			const wrapped = rows.filter((r) => lines(r.cells[1]) > 1 || lines(r.cells[6]) > 1);
			const table = document.querySelector('table.ranking').getBoundingClientRect();
			return { rows: rows.length, wrapped: wrapped.length,
				bottom: Math.ceil(table.bottom + window.scrollY),
				avoid: getComputedStyle(document.querySelector('table.ranking')).breakInside };
		});
		console.log(`ranking: ${got.rows} rows, ${got.wrapped} with a name or class on two lines`);
		console.log(got.bottom <= PAGE.height ? 'ranking: ends on the first page'
			: `ranking: ends at ${got.bottom} px, past the first page (${PAGE.height} px)`);
		console.log(`ranking: break-inside ${got.avoid}`);
		return 0;
	} finally {
		await browser.close();
	}
}

main().then((rc) => { process.exitCode = rc; }, (e) => { console.error(e); process.exitCode = 3; });
