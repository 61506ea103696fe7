// Debian's headless Chromium through playwright-core (no browser download): the one place
// that says which executable and flags every browser test uses. launch() gives a context in
// a profile of its own that close() removes; launchBrowser() a browser for tests that open
// contexts of their own (JavaScript off, touch); keepToServer and logCspViolations the
// guards the server tests put on a context.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const OPTIONS = {
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

async function launch(viewport) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'parindex-chromium-'));
	const context = await chromium.launchPersistentContext(profile, { ...OPTIONS, viewport });
	return {
		context,
		close: async () => {
			await context.close();
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}

function launchBrowser() {
	return chromium.launch(OPTIONS);
}

// A request of the context to anything but the server at base is aborted and said in problems.
function keepToServer(context, base, problems) {
	return context.route('**/*', (route) => {
		const url = route.request().url();
		if (url.startsWith(base + '/'))
			return route.continue();
		problems.push(`request outside the server: ${url}`);
		return route.abort();
	});
}

// CSP violations reach the page as events (and Chromium logs them to the console): each one
// is logged as a console error, which the tests count as a problem.
function logCspViolations(context) {
	return context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
		});
	});
}

module.exports = { launch, launchBrowser, keepToServer, logCspViolations };
