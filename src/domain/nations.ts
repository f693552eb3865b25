/**
 * Nationality (民族) codes of GB/T 3304, as ID cards (two digits in text) and social security
 * cards (one BCD byte) carry them. Names without the 族 suffix, as the card face prints them.
 */
const NATIONS: readonly string[] = [
  '汉', '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜',
  '满', '侗', '瑶', '白', '土家', '哈尼', '哈萨克', '傣', '黎', '傈僳',
  '佤', '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇', '柯尔克孜', '土',
  '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南', '仡佬', '锡伯', '阿昌', '普米',
  '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔',
  '独龙', '鄂伦春', '赫哲', '门巴', '珞巴', '基诺',
];

/** Codes outside 01–56 that cards use: 97 other, 98 foreign-born Chinese citizens. */
const EXTRA: Readonly<Record<number, string>> = { 97: '其他', 98: '外国血统中国籍人士' };

/** The name of nation `code` (1–56, 97, 98); undefined for any other code. */
export function nationName(code: number): string | undefined {
  if (!Number.isInteger(code)) return undefined;
  if (code >= 1 && code <= NATIONS.length) return NATIONS[code - 1];
  return EXTRA[code];
}

/** The code of a nation name (with or without 族); undefined when unknown. */
export function nationCode(name: string): number | undefined {
  const bare = name.endsWith('族') && name !== '族' ? name.slice(0, -1) : name;
  const i = NATIONS.indexOf(bare);
  if (i >= 0) return i + 1;
  for (const [code, n] of Object.entries(EXTRA)) if (n === name) return Number(code);
  return undefined;
}
