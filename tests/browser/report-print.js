// The index page of a report printed to an A4 PDF by Debian's headless Chromium (through
// playwright-core), as a browser's "Print" would (print media, the page's own @page size),
// and what of its layout decides whether a table row or a chart is cut: per figure, its
// height against the height a page leaves it and its computed break-inside; the table's
// header repeated (display: table-header-group) and its rows' break-inside.
//   node report-print.js PAGE.html OUT.pdf
'use strict';
const path = require('path');
const { launch } = require('./launch');

const MM = 96 / 25.4; // CSS pixels per millimetre
const PAGE_HEIGHT = Math.floor((210 - 28) * MM); // A4 landscape inside the 14 mm margins

async function main() {
	const [file, pdf] = process.argv.slice(2);
	if (!file || !pdf) {
		console.error('usage: node report-print.js PAGE.html OUT.pdf');
		return 2;
	}
	const browser = await launch({ width: Math.floor((297 - 28) * MM), height: PAGE_HEIGHT });
	try {
		const page = await browser.context.newPage();
		await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
		await page.emulateMedia({ media: 'print' });
		const got = await page.evaluate((height) => {
			const figures = Array.from(document.querySelectorAll('figure'));
			const tall = figures.filter((f) => f.getBoundingClientRect().height > height);
			const loose = figures.filter((f) => getComputedStyle(f).breakInside !== 'avoid');
			const table = document.querySelector('table.ranking');
			const rows = Array.from(table.querySelectorAll('tbody tr'));
			return {
				figures: figures.length, tall: tall.length, loose: loose.length,
				ranking: document.querySelectorAll('figure.ranking').length,
				rows: rows.length,
				rowsAvoid: rows.filter((r) => getComputedStyle(r).breakInside === 'avoid').length,
				thead: getComputedStyle(table.querySelector('thead')).display,
			};
		}, PAGE_HEIGHT);
		await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
		console.log(`figures: ${got.figures}, ${got.ranking} of them parts of the ranking`);
		console.log(`figures taller than a page: ${got.tall}`);
		console.log(`figures that may break: ${got.loose}`);
		console.log(`ranking rows: ${got.rows}, kept whole: ${got.rowsAvoid}`);
		console.log(`ranking header: ${got.thead}`);
		return 0;
	} finally {
		await browser.close();
	}
}

main().then((rc) => { process.exitCode = rc; }, (e) => { console.error(e); process.exitCode = 3; });
