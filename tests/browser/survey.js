// Drives the web survey of a running `parindex serve` in Debian's headless Chromium
// (playwright-core, no browser download) on a phone (360x740, touch), as a respondent would:
// the link of a scanned slip opened, every question answered by tapping its first option, the
// page sent; the same link again (refused); a voided code's link (refused); a page with
// JavaScript switched off still sends; axe-core (npm, injected into the page) on the survey
// page and on a refusal page. Fails on a console error, a CSP violation (but where axe is
// injected), a page that scrolls sideways, an option smaller than 44 px, a request that leaves
// the server. Prints one line per step (deterministic).
//   node survey.js BASE_URL LINK1 LINK2 LINK3 VOIDED_LINK
// LINK1 is sent with JavaScript on, LINK2 with it off, LINK3 only checked by axe.
'use strict';
const fs = require('fs');
const path = require('path');
const { launchBrowser, keepToServer } = require('./launch');

const PHONE = { width: 360, height: 740 };

async function main() {
	const [base, link1, link2, link3, voided] = process.argv.slice(2);
	if (!voided) {
		console.error('usage: node survey.js BASE_URL LINK1 LINK2 LINK3 VOIDED_LINK');
		return 2;
	}
	const problems = [];
	const say = (s) => console.log(s);
	const browser = await launchBrowser();
	const phone = async (opts) => {
		const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true,
			...opts });
		await keepToServer(context, base, problems);
		const page = await context.newPage();
		page.on('console', (m) => {
			// the refusal pages are answered 410 on purpose
			if (m.type() === 'error' && !/status of 410 /.test(m.text()))
				problems.push(`console: ${m.text()}`);
		});
		page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
		return { context, page };
	};
	const checkPage = async (page, label) => {
		const [sw, iw] = await page.evaluate(() =>
			[document.scrollingElement.scrollWidth, window.innerWidth]);
		if (sw > iw)
			problems.push(`${label}: scrolls sideways (${sw} > ${iw})`);
		const small = await page.$$eval('label.o, button', (els) =>
			els.filter((e) => e.getBoundingClientRect().height < 44).length);
		if (small)
			problems.push(`${label}: ${small} touch targets under 44 px`);
	};
	// tap the first option of every question, then the send button
	const answerAndSend = async (page) => {
		const sets = await page.$$('fieldset');
		for (const f of sets)
			await (await f.$('label.o')).tap();
		const [r] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
			page.tap('button[type=submit]')]);
		return r.status();
	};
	try {
		// scan to submit, JavaScript on
		let { context, page } = await phone({});
		let r = await page.goto(link1, { waitUntil: 'load' });
		say(`scanned link: ${r.status()}, ${await page.$$eval('fieldset', (f) => f.length)} questions`);
		await checkPage(page, 'survey page');
		say(`sent: ${await answerAndSend(page)} ${(await page.textContent('h1')).trim()}`);
		r = await page.goto(link1, { waitUntil: 'load' });
		say(`the same link again: ${r.status()} ${(await page.textContent('h1')).trim()}`);
		say(`  forms on it: ${await page.$$eval('form', (f) => f.length)}`);
		r = await page.goto(voided, { waitUntil: 'load' });
		say(`a voided code: ${r.status()} ${(await page.textContent('h1')).trim()}`);
		await checkPage(page, 'refusal page');
		await context.close();

		// JavaScript off: the page still sends
		({ context, page } = await phone({ javaScriptEnabled: false }));
		r = await page.goto(link2, { waitUntil: 'load' });
		say(`without JavaScript: ${r.status()}`);
		say(`sent without JavaScript: ${await answerAndSend(page)} ${(await page.textContent('h1')).trim()}`);
		await context.close();

		// accessibility: axe-core in the page (bypassCSP lets its script in)
		({ context, page } = await phone({ bypassCSP: true }));
		const axe = fs.readFileSync(path.join(__dirname, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
		for (const [label, url] of [['survey page', link3], ['refusal page', voided]]) {
			await page.goto(url, { waitUntil: 'load' });
			await page.addScriptTag({ content: axe });
			const res = await page.evaluate(async () => {
				// eslint-disable-next-line no-undef
				const out = await axe.run(document, { resultTypes: ['violations'] });
				return out.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length }));
			});
			const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
			for (const v of res)
				console.error(`axe ${label}: ${v.impact} ${v.id} (${v.n})`);
			say(`axe on the ${label}: ${bad.length} serious or critical violations`);
		}
		await context.close();
	} finally {
		await browser.close();
	}
	for (const p of problems)
		say(`PROBLEM ${p}`);
	return problems.length ? 1 : 0;
}

main().then((rc) => { process.exitCode = rc; }, (e) => { console.error(e); process.exitCode = 1; });
