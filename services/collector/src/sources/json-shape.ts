export interface JsonShape {
  /** Deepest nesting of objects and arrays (a flat object is 1); counting stops past `maxDepth`. */
  depth: number;
  /** Most elements in an array directly under the top-level value (an EventList's `items`); counting stops past `maxItems`. */
  items: number;
}

interface Level {
  array: boolean;
  commas: number;
  empty: boolean;
}

/**
 * Measures nesting and top-level array sizes of JSON text in one pass without parsing it, so a
 * receiver can refuse a body before JSON.parse builds a million objects or anything recurses a
 * hundred thousand levels deep. Text that is not JSON gives some shape; JSON.parse judges it later.
 */
export function jsonShape(text: string, limits: { maxDepth: number; maxItems: number }): JsonShape {
  const stack: Level[] = [];
  const shape: JsonShape = { depth: 0, items: 0 };
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\n" || c === "\r" || c === "\t") continue;
    const top = stack.at(-1);
    if (top?.array && c !== "]") top.empty = false;
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      stack.push({ array: c === "[", commas: 0, empty: true });
      shape.depth = Math.max(shape.depth, stack.length);
      if (stack.length > limits.maxDepth) return shape;
    } else if (c === "," && top?.array) {
      top.commas++;
      if (stack.length === 2 && top.commas >= limits.maxItems) return { ...shape, items: Math.max(shape.items, top.commas + 1) };
    } else if (c === "}" || c === "]") {
      stack.pop();
      if (top?.array && stack.length === 1) shape.items = Math.max(shape.items, top.empty ? 0 : top.commas + 1);
    }
  }
  return shape;
}
