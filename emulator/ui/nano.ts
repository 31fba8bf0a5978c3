// Nano S Plus / Nano X (128x64, two buttons) and Nano S (128x32) screens, laid out as NBGL's Nano use
// cases: one page per pair, the item in bold at the top and the value below it, centred; a value
// longer than VALUE_LINES lines is split into pages whose item gets " (i/n)". Right = next page,
// left = previous, both = select the page (approve on the finish page, reject on the reject page).
// Line positions sit between what the Nano S Plus corpus and Speculos 0.27.1 report (the corpus gives
// ink boxes, 0.27.1 14 px line boxes 2-3 px higher): value blocks centred on y = 42, 14 px per line.

import type { DeviceModel } from '../../devices/models.ts';
import type { AppHome } from '../app.ts';
import type { Renderer, ReviewScreens } from './renderer.ts';
import type { ReviewFlow, ReviewPair, StreamingReviewStep, WarningPage } from './review.ts';
import type { Screen, TextEvent, UiAction } from './screen.ts';
import { textWidth, wrapText, type Font } from './text.ts';

export interface NanoFonts {
  /** Bold: items, intro, finish and status texts. */
  title: Font;
  /** Regular: values. */
  body: Font;
}

interface NanoGeometry {
  width: number;
  /** Widest line of text (NBGL AVAILABLE_WIDTH). */
  textWidth: number;
  /** Value lines per page before "(i/n)" paging. */
  valueLines: number;
  lineStep: number;
  itemY: number;
  /** Centre line of value blocks and of pages with an icon above the text. */
  valueCentre: number;
  /** Centre line of pages of text alone (status, warnings). */
  textCentre: number;
  /** Centre line of section pages ("Review co-signer public keys"). */
  sectionCentre: number;
  /**
   * How a line's x is found: 'round' centres the advances (shared with the corpus's ink boxes),
   * 'floor' centres the box as NBGL does, floor((width - w) / 2), as Speculos 0.27.1 reports it.
   */
  centring: 'round' | 'floor';
}

const GEOMETRY_64: NanoGeometry = { width: 128, textWidth: 114, valueLines: 3, lineStep: 14, itemY: 5, valueCentre: 43, textCentre: 33, sectionCentre: 33, centring: 'round' };
const GEOMETRY_32: NanoGeometry = { width: 128, textWidth: 114, valueLines: 1, lineStep: 12, itemY: 3, valueCentre: 24, textCentre: 16, sectionCentre: 16, centring: 'round' };
/** Nano X as measured on Speculos 0.27.1 (test/vectors/speculos-local/nanox): every line exact in y and h. */
const GEOMETRY_NANOX: NanoGeometry = { width: 128, textWidth: 114, valueLines: 3, lineStep: 14, itemY: 3, valueCentre: 41, textCentre: 32, sectionCentre: 31, centring: 'floor' };

export class NanoRenderer implements Renderer {
  private readonly g: NanoGeometry;

  constructor(
    model: DeviceModel,
    private readonly fonts: NanoFonts,
  ) {
    this.g = model.screen.height <= 32 ? GEOMETRY_32 : model.id === 'nanox' ? GEOMETRY_NANOX : GEOMETRY_64;
  }

  review(flow: ReviewFlow): ReviewScreens {
    const pages: Screen[] = [this.centred(flow.intro, this.g.valueCentre, this.fonts.title), ...this.pairPages(flow.pairs)];
    pages.push(this.centred(flow.finish.text, this.g.valueCentre, this.fonts.title, 'approve'));
    pages.push(this.centred(flow.reject ?? 'Reject', this.g.valueCentre, this.fonts.title, 'reject'));
    return { pages: withNavigation(pages) };
  }

  // NBGL's streaming review on a Nano: right on the last page of a step continues (the app then
  // reads more); there is no reject page before Finish.
  reviewStreaming(step: StreamingReviewStep): ReviewScreens {
    if (step.kind === 'finish') {
      const f = step.flow;
      return { pages: withNavigation([this.centred(f.finish.text, this.g.valueCentre, this.fonts.title, 'approve'), this.centred(f.reject ?? 'Reject', this.g.valueCentre, this.fonts.title, 'reject')]) };
    }
    const pages = withNavigation(step.kind === 'start' ? [this.centred(step.intro, this.g.valueCentre, this.fonts.title)] : this.pairPages(step.pairs));
    const last = pages[pages.length - 1]!;
    pages[pages.length - 1] = { ...last, buttons: { ...last.buttons, right: 'approve' } };
    return { pages };
  }

  private pairPages(pairs: readonly ReviewPair[]): Screen[] {
    const pages: Screen[] = [];
    for (const pair of pairs) {
      if (pair.centered) {
        pages.push(this.centred(pair.item, this.g.sectionCentre, this.fonts.title));
        continue;
      }
      const lines = wrapText(this.fonts.body, pair.value, this.g.textWidth);
      const n = Math.ceil(lines.length / this.g.valueLines);
      for (let i = 0; i < n; i++) {
        const item = n > 1 ? `${pair.item} (${i + 1}/${n})` : pair.item;
        const chunk = lines.slice(i * this.g.valueLines, (i + 1) * this.g.valueLines);
        pages.push({ events: [...this.lines(this.fonts.title, wrapText(this.fonts.title, item, this.g.textWidth), this.g.itemY), ...this.block(chunk, this.g.valueCentre - 1, this.fonts.body)] });
      }
    }
    return pages;
  }

  warning(page: WarningPage): Screen[] {
    const text = page.text ? `${page.title}\n${page.text}` : page.title;
    return withNavigation([
      this.centred(text, this.g.textCentre, this.fonts.title),
      this.centred('Continue', this.g.valueCentre, this.fonts.title, 'approve'),
      this.centred('Reject', this.g.valueCentre, this.fonts.title, 'reject'),
    ]);
  }

  status(text: string): Screen {
    return this.centred(text, this.g.textCentre, this.fonts.title);
  }

  busy(text: string): Screen {
    return this.centred(text, this.g.valueCentre, this.fonts.title);
  }

  // nbgl_useCaseHomeAndSettings on a Nano: the title with "app is ready", then "App info", then
  // "Quit app" (seen on Speculos with the Bitcoin Test 2.4.6 app).
  appHome(home: AppHome, _version: string): Screen[] {
    return withNavigation([
      this.centred(`${home.title}\napp is ready`, this.g.valueCentre, this.fonts.title),
      this.centred('App info', this.g.valueCentre, this.fonts.title),
      this.centred('Quit app', this.g.valueCentre, this.fonts.title, 'quit'),
    ]);
  }

  dashboard(appNames: readonly string[]): Screen[] {
    const pages = appNames.map((name) => this.centred(name, this.g.valueCentre, this.fonts.title, `open:${name}` as const));
    return withNavigation(pages.length > 0 ? pages : [this.centred('No apps\ninstalled', this.g.textCentre, this.fonts.title)]);
  }

  locked(): Screen {
    return this.centred('Device locked', this.g.textCentre, this.fonts.title);
  }

  private centred(text: string, centre: number, font: Font, both?: UiAction): Screen {
    const screen: Screen = { events: this.block(wrapText(font, text, this.g.textWidth), centre, font) };
    if (both) screen.buttons = { both };
    return screen;
  }

  /** Lines centred vertically on `centre`. */
  private block(lines: string[], centre: number, font: Font): TextEvent[] {
    return this.lines(font, lines, Math.round(centre - (lines.length * this.g.lineStep) / 2));
  }

  private lines(font: Font, lines: string[], top: number): TextEvent[] {
    return lines.map((text, i) => {
      const advance = textWidth(font, text);
      // 'floor': Speculos 0.27.1's box ends before the delimiters a wrapped line ends with
      const w = Math.max(0, (this.g.centring === 'floor' ? textWidth(font, text.replace(/[ _-]+$/, '')) : advance) - font.inkTrim);
      const x = this.g.centring === 'floor' ? Math.floor((this.g.width - w) / 2) : Math.round((this.g.width - advance) / 2 + font.inkTrim / 2);
      return { text, x, y: top + i * this.g.lineStep, w, h: font.height, clear: false };
    });
  }
}

/** Right goes to the next page and left to the previous one, except at the ends. */
function withNavigation(pages: Screen[]): Screen[] {
  return pages.map((page, i) => ({
    ...page,
    buttons: {
      ...(i > 0 ? { left: 'prev' as const } : {}),
      ...(i < pages.length - 1 ? { right: 'next' as const } : {}),
      ...page.buttons,
    },
  }));
}
