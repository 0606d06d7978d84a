/** README.md: the list of the other pages. */
import type { Page } from './markdown.js';

export function indexPage(pages: readonly Page[]): Page {
  return {
    file: 'README.md',
    title: 'Reference',
    sources: 'the pages it lists',
    intro: 'Tables generated from the code by `npm run docs`; a test fails when a committed page differs from what the code makes.',
    sections: [{ heading: 'Pages', text: pages.map(({ file, title }) => `- [${title}](${file})`).join('\n') }],
  };
}
