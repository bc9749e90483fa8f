// Visits every node of a syntax tree in the order of Langium's `streamAst` (pre-order, children in property order),
// an order of magnitude cheaper: no stream objects, no property arrays. The linker, the reference index and the
// validator each walk the whole tree once per build; with `streamAst` those walks cost ~40-60 ms at 10,000 states.
import { isMultiReference, isReference, type AstNode, type ReferenceInfo } from 'langium';

const DOLLAR = 36; // '$': Langium's own properties ($container, $cstNode, $type, ...) are not children.

function isNode(value: unknown): value is AstNode {
    return typeof value === 'object' && value !== null && typeof (value as { $type?: unknown }).$type === 'string';
}

/** Calls `visit` with each of the node's own properties (not Langium's `$` ones), in property order. */
function forEachProperty(node: AstNode, visit: (property: string, value: unknown) => void): void {
    const record = node as unknown as Record<string, unknown>;
    for (const property in record) {
        if (property.charCodeAt(0) !== DOLLAR) {
            visit(property, record[property]);
        }
    }
}

/**
 * Calls `visit` for `root` and every node below it; a node's children are skipped when `visit` returns false.
 * An explicit stack: no depth limit.
 */
export function forEachNode(root: AstNode, visit: (node: AstNode) => boolean | void): void {
    const stack: AstNode[] = [root];
    const children: AstNode[] = [];
    const collectChildren = (_property: string, value: unknown): void => {
        if (Array.isArray(value)) {
            for (const item of value) {
                if (isNode(item)) {
                    children.push(item);
                }
            }
        } else if (isNode(value)) {
            children.push(value);
        }
    };
    while (stack.length > 0) {
        const node = stack.pop()!;
        if (visit(node) === false) {
            continue;
        }
        forEachProperty(node, collectChildren);
        // Last child first onto the stack, so the first child is visited next.
        for (let i = children.length - 1; i >= 0; i--) {
            stack.push(children[i]!);
        }
        children.length = 0;
    }
}

/** The references held by `node` itself (not by its children), as Langium's `streamReferences` yields them. */
export function referencesOf(node: AstNode, into: ReferenceInfo[]): void {
    forEachProperty(node, (property, value) => {
        if (Array.isArray(value)) {
            value.forEach((item: unknown, index) => {
                if (isReference(item) || isMultiReference(item)) {
                    into.push({ reference: item, container: node, property, index });
                }
            });
        } else if (isReference(value) || isMultiReference(value)) {
            into.push({ reference: value, container: node, property });
        }
    });
}
