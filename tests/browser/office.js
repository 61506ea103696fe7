// Drives the office's pages of a running `parindex serve` in Debian's headless Chromium
// (playwright-core, no browser download), as the office would on a phone: login, every page,
// a zip upload and its receipt, a POST whose CSRF token was taken out, undo, logout, and a
// wrong password until the address is locked out. Fails on a console error, a CSP violation,
// a page that scrolls sideways at 360x740 (or at 1366x768), a request that leaves the server.
// With QZIP, a zip of submissions the quality checks flag, uploaded after the undo: the quality
// page, one of them excluded from it with a reason and included again.
// Writes what the pages show for the shell to compare with the database:
//   OUT/quota-before.txt, OUT/quota-after.txt  "commune|group|count" per dashboard cell
//   OUT/receipt.csv                            the receipt downloaded
// and prints one line per step (deterministic: no tokens, no times of the machine).
//   node office.js BASE_URL NAME PASSWORD ZIP OUT [QZIP]
'use strict';
const fs = require('fs');
const path = require('path');
const { launch, keepToServer, logCspViolations } = require('./launch');

const PAGES = ['/', '/batches', '/upload', '/scores', '/tally', '/report', '/quality'];
const SIZES = [{ width: 360, height: 740 }, { width: 1366, height: 768 }];

async function main() {
	const [base, name, password, zip, out, qzip] = process.argv.slice(2);
	if (!out) {
		console.error('usage: node office.js BASE_URL NAME PASSWORD ZIP OUT');
		return 2;
	}
	const problems = [];
	const browser = await launch(SIZES[0]);
	const context = browser.context;
	const say = (s) => console.log(s);
	try {
		await keepToServer(context, base, problems);
		await logCspViolations(context);
		const page = await context.newPage();
		let where = '';
		page.on('console', (m) => { if (m.type() === 'error') problems.push(`${where}: console: ${m.text()}`); });
		page.on('pageerror', (e) => problems.push(`${where}: page error: ${e.message}`));
		page.on('requestfailed', (r) => problems.push(`${where}: failed to load ${r.url()}`));

		// the page never scrolls sideways, at a phone's width and an office screen's
		const noSideScroll = async (label) => {
			for (const size of SIZES) {
				await page.setViewportSize(size);
				const [sw, iw] = await page.evaluate(() =>
					[document.scrollingElement.scrollWidth, window.innerWidth]);
				if (sw > iw)
					problems.push(`${label}: scrolls sideways at ${size.width}x${size.height} (${sw} > ${iw})`);
			}
			await page.setViewportSize(SIZES[0]);
		};
		const go = async (p) => {
			where = p;
			const r = await page.goto(base + p, { waitUntil: 'load' });
			return r.status();
		};
		const quota = async () => page.$$eval('td[data-commune][data-group]:not([data-group=""])',
			(tds) => tds.map((td) => `${td.dataset.commune}|${td.dataset.group}|${td.textContent}`).join('\n') + '\n');
		const submit = async (selector) => {
			const [r] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
				page.click(selector)]);
			return r ? r.status() : 0;
		};

		// login
		await go('/');
		say(`not logged in: ${new URL(page.url()).pathname}`);
		await noSideScroll('/login');
		await page.fill('#name', name);
		await page.fill('#password', password);
		where = 'login';
		await submit('button[type=submit]');
		say(`logged in: ${new URL(page.url()).pathname}`);
		fs.writeFileSync(path.join(out, 'quota-before.txt'), await quota());
		for (const p of PAGES) {
			const s = await go(p);
			say(`${p}: ${s}`);
			await noSideScroll(p);
		}

		// a zip upload and its receipt
		await go('/upload');
		await page.setInputFiles('#file', zip);
		where = 'upload';
		say(`upload: ${await submit('form[action="/upload"] button[type=submit]')}`);
		say(`receipt: ${(await page.textContent('#counts')).trim()}`);
		say(`receipt rows: ${await page.$$eval('#receipt tbody tr', (r) => r.length)}`);
		await noSideScroll('receipt');
		const csv = await context.request.get(base + '/receipt.csv?batch=1');
		say(`receipt CSV: ${csv.status()} ${csv.headers()['content-type']}`);
		fs.writeFileSync(path.join(out, 'receipt.csv'), await csv.body());
		await go('/');
		fs.writeFileSync(path.join(out, 'quota-after.txt'), await quota());
		await noSideScroll('/ after the upload');

		// a real form whose CSRF token is taken out: refused, nothing undone
		await go('/undo?batch=1');
		await page.$eval('form[action="/undo"] input[name=csrf]', (i) => i.remove());
		where = 'undo without token';
		say(`undo without the token: ${await submit('form[action="/undo"] button[type=submit]')}`);
		await go('/batches');
		say(`batch 1 still undoable: ${await page.$$eval('tr[data-batch="1"] form[action="/undo"]', (f) => f.length)}`);

		// undo, confirmed
		await go('/batches');
		where = 'undo';
		await submit('tr[data-batch="1"] form[action="/undo"] button');
		await noSideScroll('/undo?batch=1');
		say(`undo: ${await submit('form[action="/undo"] button[type=submit]')}`);
		say(`undone: ${(await page.textContent('#undone')).trim()}`);

		// survey quality: flagged forms on their page, one excluded with a reason, included again
		if (qzip) {
			await go('/upload');
			await page.setInputFiles('#file', qzip);
			where = 'upload for quality';
			say(`upload for quality: ${await submit('form[action="/upload"] button[type=submit]')}`);
			say(`/quality: ${await go('/quality')}`);
			say(`quality: ${(await page.textContent('#quality-summary')).trim()}`);
			say(`flagged rows: ${await page.$$eval('#quality-flagged tbody tr[data-instance]', (r) => r.length)}`);
			await noSideScroll('/quality with flags');
			const first = '#quality-flagged tbody tr[data-instance]';
			const id = await page.$eval(first, (tr) => tr.dataset.instance);
			await page.fill(`${first} input[name=reason]`, 'quá nhanh, đã gọi lại người trả lời');
			where = 'exclude';
			say(`exclude ${id}: ${await submit(`${first} form[action="/exclude"] button`)}`);
			say(`said: ${(await page.textContent('#said')).trim()}`);
			say(`excluded rows: ${await page.$$eval('#quality-excluded tbody tr[data-instance]', (r) => r.length)}`);
			await noSideScroll('/exclude');
			where = 'include';
			say(`include ${id}: ${await submit('#quality-excluded form[action="/include"] button')}`);
			say(`said: ${(await page.textContent('#said')).trim()}`);
		}

		// logout, then a wrong password until the address is locked out
		await go('/');
		where = 'logout';
		await submit('form[action="/logout"] button');
		say(`logged out: ${new URL(page.url()).pathname}`);
		for (let i = 1; i <= 5; i++) {
			await page.fill('#name', name);
			await page.fill('#password', 'not the password');
			where = `wrong password ${i}`;
			say(`wrong password ${i}: ${await submit('button[type=submit]')}`);
		}
		say(`locked: ${(await page.textContent('p.error')).trim()}`);
		await go('/login');
		await page.fill('#name', name);
		await page.fill('#password', password);
		where = 'right password while locked';
		say(`right password while locked: ${await submit('button[type=submit]')}`);
		await noSideScroll('locked');
		// what the browser was told not to do, it logs as an error: none is expected
		problems.splice(0, problems.length, ...problems.filter((p) =>
			!/Failed to load resource: the server responded with a status of (403|429)/.test(p)));
	} finally {
		await browser.close();
	}
	for (const p of problems.sort())
		console.log(`problem: ${p}`);
	console.log(`${problems.length} problems`);
	return problems.length ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => { console.error(e.message); process.exit(3); });
