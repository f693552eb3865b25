import t from 'tap';
import { FIXTURE_NAMES, fixtureView } from '../../src/screens/fixtures.js';
import { hitTest, layoutScreen, metrics, wrapText } from '../../src/screens/layout.js';
import { renderSvg, textOverflow } from '../../src/screens/svg.js';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
  { width: 1080, height: 1920 },
];

t.test('elderly-friendly sizes at 1280x800: body text ≥ 32 px, buttons ≥ 120 px tall', async (t) => {
  const m = metrics({ width: 1280, height: 800 });
  t.ok(m.body >= 32 && m.tip >= 32 && m.footer >= 32, `body ${m.body}, tip ${m.tip}, footer ${m.footer}`);
  for (const size of SIZES) {
    for (const name of FIXTURE_NAMES) {
      for (const b of layoutScreen(fixtureView(name), size).buttons) {
        if (b.rect.height < 120) t.fail(`${name} ${size.width}x${size.height}: ${b.id} is ${b.rect.height} px tall`);
      }
    }
  }
});

t.test('nothing overflows or overlaps on any screen at any of the three sizes', async (t) => {
  for (const size of SIZES) {
    for (const name of FIXTURE_NAMES) {
      const view = fixtureView(name);
      const where = `${name} at ${size.width}x${size.height}`;
      t.equal(textOverflow(view, size), 0, `${where}: text fits above the buttons`);
      const layout = layoutScreen(view, size);
      const rects = layout.buttons.map((b) => ({ id: b.id, ...b.rect }));
      for (const r of rects) {
        if (r.x < 0 || r.y < 0 || r.x + r.width > size.width || r.y + r.height > size.height) t.fail(`${where}: ${r.id} leaves the screen`);
      }
      for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length; j++) {
          const a = rects[i]!;
          const b = rects[j]!;
          if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) t.fail(`${where}: ${a.id} overlaps ${b.id}`);
        }
      }
      if (layout.tip) {
        for (const r of rects) {
          const footer = view.buttons.find((b) => b.id === r.id)?.footer;
          if (!footer && !view.overlay && r.y + r.height > layout.tip.y) t.fail(`${where}: ${r.id} runs into the 温馨提示 box`);
        }
      }
    }
  }
  t.pass('checked every fixture');
});

t.test('every screen but home has the footer; its labels are the seed words', async (t) => {
  for (const name of FIXTURE_NAMES) {
    const view = fixtureView(name);
    const svg = renderSvg(view, { width: 1280, height: 800 });
    if (view.screen === 'home') {
      t.notOk(svg.includes('剩余'), 'home has no countdown');
      continue;
    }
    if (!view.overlay) for (const label of ['上一步', '帮助', '返回首页', '扫描二维码']) t.ok(svg.includes(`>${label}<`), `${name}: ${label}`);
    t.ok(svg.includes('>0000<'), `${name}: terminal number`);
    t.ok(svg.includes('>剩余299秒<'), `${name}: countdown`);
  }
});

t.test('the seed strings appear verbatim', async (t) => {
  // The drawn words with the markup removed: wrapped lines join up again.
  const words = (name: string) => renderSvg(fixtureView(name), { width: 1920, height: 1080 }).replace(/<[^>]*>/g, '|').replace(/\|+/g, '|');
  const text = (name: string) => words(name).replaceAll('|', '') + words(name);
  t.match(text('identify'), /请刷二代身份证/);
  t.match(text('identify'), /\|操作说明\|/);
  t.match(text('identify'), /\|扫描条码\|/);
  t.match(text('confirm'), /欢迎使用市民之窗服务终端系统！/);
  t.match(text('confirm'), /姓名：/);
  t.match(text('confirm'), /\|进入\|/);
  t.match(text('service'), /请选择服务功能/);
  t.match(text('capture'), /请拍摄生存验证图片/);
  t.match(text('capture'), /请调整摄像头位置，使摄像头可以完整地拍摄到您的脸/);
  t.match(text('capture-acting'), /\|请抬头\|/);
  t.match(text('captured'), /\|重新拍摄\|/);
  t.match(text('captured'), /\|提交\|/);
  t.match(text('result'), /提交结果/);
  t.match(text('result'), /验证成功。/);
  t.match(text('result'), /回执打印成功，请取走回执。/);
  t.match(text('result'), /\|退出\|/);
});

t.test('text is escaped for SVG', async (t) => {
  const view = { ...fixtureView('confirm'), private: { name: '<script>&"' } };
  const svg = renderSvg(view, { width: 1280, height: 800 });
  t.notOk(svg.includes('<script>'));
  t.ok(svg.includes('&lt;script&gt;&amp;&quot;'));
});

t.test('wrapping keeps closing punctuation on its line and never exceeds the width', async (t) => {
  const lines = wrapText('温馨提示：请将脸对准屏幕上方的摄像头，然后根据语音提示指引，做出相应动作。', 400, 32);
  t.ok(lines.length > 1);
  for (const l of lines) t.notOk(/^[，。、：]/.test(l), `line does not start with punctuation: ${l}`);
});

t.test('hit-testing uses the drawn rectangles; disabled buttons are not hit', async (t) => {
  const size = { width: 1280, height: 800 };
  const view = fixtureView('service-verified');
  const layout = layoutScreen(view, size);
  const apply = layout.buttons.find((b) => b.id === 'apply')!;
  const history = layout.buttons.find((b) => b.id === 'history')!;
  t.equal(apply.enabled, false);
  t.equal(hitTest(view, size, apply.rect.x + 10, apply.rect.y + 10), null);
  t.equal(hitTest(view, size, history.rect.x, history.rect.y), 'history', 'top-left pixel is inside');
  t.equal(hitTest(view, size, history.rect.x - 1, history.rect.y), null, 'one pixel left is outside');
  t.equal(hitTest(view, size, history.rect.x + history.rect.width, history.rect.y), null, 'right edge is exclusive');
});
