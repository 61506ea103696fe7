// Paper keying (/key) of a running `parindex serve` in Debian's headless Chromium
// (playwright-core), on a phone-sized viewport, with the keyboard only, as a clerk keys:
//   node keying.js test BASE_URL
//     (the mini definition; accounts k1, k2 (keyers) and office1, passwords NAME + ' secret')
//     k1 keys forms 1, 2 and 3 (Enter moves on: the page's script); k2 keys form 1 alike (one
//     submission), form 2 otherwise (the office must decide) and form 1 again (refused); the
//     office sees form 2's keyings side by side and decides from the paper. Fails on a
//     console error, a CSP violation, a page that scrolls sideways at 360x740, a request
//     leaving the server. Prints one line per step (deterministic).
//   node keying.js nojs BASE_URL
//     (account k3, a keyer) k3 keys form 3 with script turned off (Tab moves on, Enter
//     saves): the same checks, a test of its own so that it runs beside the other
//   node keying.js speed BASE_URL NAME PASSWORD COMMUNE GROUP MS
//     keys one form of COMMUNE x GROUP typing one key every MS milliseconds (a clerk's pace)
//     and prints the seconds from the page's load to the saved page's: the measurement
//     HACKING.md gives (not run by make check: no timed tests).
'use strict';
const { launchBrowser, keepToServer, logCspViolations } = require('./launch');

const PHONE = { width: 360, height: 740 };

async function open(browser, base, problems, js) {
	const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: js });
	await keepToServer(context, base, problems);
	await logCspViolations(context);
	const page = await context.newPage();
	page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	return { context, page };
}

async function login(page, base, name, password) {
	await page.goto(base + '/login', { waitUntil: 'load' });
	await page.fill('#name', name);
	await page.fill('#password', password);
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
	return new URL(page.url()).pathname;
}

// the commune and group of the pile, chosen once
async function choose(page, commune, group) {
	await page.selectOption('#commune', commune);
	await page.selectOption('#group', group);
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
		page.click('form[action="/key"][method=get] button')]);
}

// key one form from the keyboard: each value then `next` (Enter with the script, Tab
// without); the last one's Enter saves. Returns the status of the page that comes back.
async function keyForm(page, values, next, pace) {
	let response = null;
	// a clerk starts once the page is there, its focus on the serial number
	await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'serial');
	const nav = page.waitForNavigation({ waitUntil: 'load' }).then((r) => { response = r; });
	for (let i = 0; i < values.length; i++) {
		await page.keyboard.type(values[i], { delay: pace });
		await page.keyboard.press(i + 1 < values.length ? next : 'Enter', { delay: pace });
	}
	await nav;
	return response ? response.status() : 0;
}

async function sideScroll(page) {
	const [sw, iw] = await page.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth]);
	return sw > iw;
}

async function test(browser, base) {
	const problems = [];
	const say = (s) => console.log(s);
	const said = async (page) => ((await page.textContent('#said')) || '').trim();

	// k1: the pile of commune 90001, group A; forms 1 and 2
	let { context, page } = await open(browser, base, problems, true);
	say(`k1 logged in: ${await login(page, base, 'k1', 'k1 secret')}`);
	await choose(page, '90001', 'A');
	say(`keying page: ${new URL(page.url()).search}`);
	say(`focus on: ${await page.evaluate(() => document.activeElement.id)}`);
	say(`fields: ${await page.$$eval('#key input[type=text]', (f) => f.map((i) => i.id).join(' '))}`);
	say(`numeric keyboard on: ${await page.$$eval('#key input[inputmode=numeric]', (f) => f.map((i) => i.id).join(' '))}`);
	if (await sideScroll(page))
		problems.push('the keying page scrolls sideways at 360x740');
	say(`k1 form 1: ${await keyForm(page, ['1', 'DTV01', '1', 'a', 'b'], 'Enter', 0)} ${await said(page)}`);
	say(`focus again on: ${await page.evaluate(() => document.activeElement.id)}`);
	say(`k1 form 2: ${await keyForm(page, ['2', 'DTV02', '2', 'b', 'c'], 'Enter', 0)} ${await said(page)}`);
	// form 3 waits for its second keyer
	say(`k1 form 3: ${await keyForm(page, ['3', 'DTV03', '1', 'c', 'x'], 'Enter', 0)} ${await said(page)}`);
	await context.close();

	// k2: form 1 alike, form 2 otherwise, form 1 again
	({ context, page } = await open(browser, base, problems, true));
	await login(page, base, 'k2', 'k2 secret');
	await choose(page, '90001', 'A');
	say(`k2 form 1: ${await keyForm(page, ['1', 'DTV01', '1', 'a', 'b'], 'Enter', 0)} ${await said(page)}`);
	say(`k2 form 2: ${await keyForm(page, ['2', 'DTV20', '2', 'c', 'c'], 'Enter', 0)} ${await said(page)}`);
	say(`k2 form 1 again: ${await keyForm(page, ['1', 'DTV01', '1', 'a', 'b'], 'Enter', 0)} ${await said(page)}`);
	await context.close();

	// the office decides form 2 from the paper
	({ context, page } = await open(browser, base, problems, true));
	await login(page, base, 'office1', 'office1 secret');
	await page.goto(base + '/key/review', { waitUntil: 'load' });
	say(`states: ${(await page.textContent('#states')).trim()}`);
	if (await sideScroll(page))
		problems.push('the review page scrolls sideways at 360x740');
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#differ a')]);
	say(`side by side: ${await page.$$eval('#sidebyside tr.differ', (r) => r.map((tr) =>
		[...tr.cells].slice(0, 3).map((c) => c.textContent.trim()).join(' | ')).join(' / '))}`);
	await page.fill('input[name=surveyor]', 'DTV02');
	await page.check('input[name=q2][value=b]');
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action="/key/decide"] button')]);
	say(`decided: ${(await page.textContent('p.ok')).trim()}`);
	say(`states: ${(await page.textContent('#states')).trim()}`);
	say(`keyers: ${await page.$$eval('#keyers tbody tr', (r) => r.map((tr) => tr.dataset.keyer).join(' '))}`);
	await context.close();
	return problems;
}

// k3, without script: Tab moves on, Enter saves
async function nojs(browser, base) {
	const problems = [];
	const { context, page } = await open(browser, base, problems, false);
	await login(page, base, 'k3', 'k3 secret');
	await choose(page, '90001', 'A');
	if (await sideScroll(page))
		problems.push('the keying page scrolls sideways at 360x740');
	const status = await keyForm(page, ['3', 'DTV03', '1', 'c', 'x'], 'Tab', 0);
	console.log(`k3 without script, form 3: ${status} ${((await page.textContent('#said')) || '').trim()}`);
	await context.close();
	return problems;
}

async function speed(browser, base, name, password, commune, group, pace) {
	const problems = [];
	const { context, page } = await open(browser, base, problems, true);
	await login(page, base, name, password);
	await choose(page, commune, group);
	// the first option printed for each question (the hint beside its field)
	const answers = await page.$$eval('#key input[id^=q]', (f) => f.map((i) =>
		i.parentElement.querySelector('.note').textContent.split(' ')[0]));
	const t0 = Date.now();
	const status = await keyForm(page, ['123', 'DTV07', ...answers], 'Enter', pace);
	const seconds = (Date.now() - t0) / 1000;
	console.log(`${answers.length} questions, ${pace} ms a key: ${status} in ${seconds.toFixed(1)} s: ${((await page.textContent('#said')) || '').trim()}`);
	await context.close();
	return problems;
}

async function main() {
	const [mode, base, ...rest] = process.argv.slice(2);
	if (!['test', 'nojs', 'speed'].includes(mode) || !base) {
		console.error('usage: node keying.js test|nojs BASE_URL | speed BASE_URL NAME PASSWORD COMMUNE GROUP MS');
		return 2;
	}
	const browser = await launchBrowser();
	let problems;
	try {
		problems = mode === 'test' ? await test(browser, base)
			: mode === 'nojs' ? await nojs(browser, base)
			: await speed(browser, base, rest[0], rest[1], rest[2], rest[3], Number(rest[4]));
	} finally {
		await browser.close();
	}
	// the refused keying answers 409: the browser logs it as an error
	problems = problems.filter((p) => !/status of 409/.test(p));
	for (const p of problems.sort())
		console.log(`problem: ${p}`);
	console.log(`${problems.length} problems`);
	return problems.length ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => { console.error(e.message); process.exit(3); });
