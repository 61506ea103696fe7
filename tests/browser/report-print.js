// The index page of a report printed to an A4 PDF by Debian's headless Chromium (through
// playwright-core), as a browser's "Print" would (print media, the page's own @page size),
// and what of its layout decides whether a table row or a chart is cut: per figure, its
// height against the height a page leaves it and its computed break-inside; the table's
// header repeated (display: table-header-group) and its rows' break-inside.
//   node report-print.js PAGE.html OUT.pdf [PAGE.html OUT.pdf OUT.txt]...
// Further pages are printed by the same browser, each one's lines written to its OUT.txt.
'use strict';
const fs = require('fs');
const path = require('path');
const { launch } = require('./launch');

const MM = 96 / 25.4; // CSS pixels per millimetre
const PAGE_HEIGHT = Math.floor((210 - 28) * MM); // A4 landscape inside the 14 mm margins

async function main() {
	const [file, pdf, ...more] = process.argv.slice(2);
	if (!file || !pdf || more.length % 3) {
		console.error('usage: node report-print.js PAGE.html OUT.pdf [PAGE.html OUT.pdf OUT.txt]...');
		return 2;
	}
	const browser = await launch({ width: Math.floor((297 - 28) * MM), height: PAGE_HEIGHT });
	try {
		console.log((await print(browser, file, pdf)).join('\n'));
		for (let i = 0; i < more.length; i += 3)
			fs.writeFileSync(more[i + 2], (await print(browser, more[i], more[i + 1])).join('\n') + '\n');
		return 0;
	} finally {
		await browser.close();
	}
}

async function print(browser, file, pdf) {
	const page = await browser.context.newPage();
	try {
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
		return [
			`figures: ${got.figures}, ${got.ranking} of them parts of the ranking`,
			`figures taller than a page: ${got.tall}`,
			`figures that may break: ${got.loose}`,
			`ranking rows: ${got.rows}, kept whole: ${got.rowsAvoid}`,
			`ranking header: ${got.thead}`,
		];
	} finally {
		await page.close();
	}
}

main().then((rc) => { process.exitCode = rc; }, (e) => { console.error(e); process.exitCode = 3; });
