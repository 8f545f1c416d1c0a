import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.rdf4j.RDF4JException;
import org.eclipse.rdf4j.model.Model;
import org.eclipse.rdf4j.model.Resource;
import org.eclipse.rdf4j.model.Statement;
import org.eclipse.rdf4j.model.ValueFactory;
import org.eclipse.rdf4j.model.impl.LinkedHashModel;
import org.eclipse.rdf4j.model.impl.SimpleValueFactory;
import org.eclipse.rdf4j.model.vocabulary.OWL;
import org.eclipse.rdf4j.model.vocabulary.RDF;
import org.eclipse.rdf4j.rio.RDFFormat;
import org.eclipse.rdf4j.rio.Rio;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RioTurtleDocumentFormatFactory;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.rio.RioMemoryTripleSource;
import org.semanticweb.owlapi.rio.RioParserImpl;

/**
 * Checks that the union of the given ontology documents is one OWL 2 DL ontology.
 *
 * <p>Usage: {@code java ProfileCheck FILE [FILE...]} (Turtle, RDF/XML, N-Triples, ...; the format
 * comes from the file extension). Prints one {@code VIOLATION<TAB>kind<TAB>text} line per problem,
 * then {@code OWL2DL<TAB>OK} or {@code OWL2DL<TAB>FAIL<TAB>count}. Exit code: 0 in profile, 1 not in
 * profile, 2 a file could not be read or parsed (message on stderr).
 */
public final class ProfileCheck {

    private ProfileCheck() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: ProfileCheck FILE [FILE...]");
            System.exit(2);
        }
        try {
            OWLOntology ontology = load(mergeGraphs(args));
            List<String> violations = new ArrayList<>();
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation v : report.getViolations()) {
                violations.add(v.getClass().getSimpleName() + "\t" + oneLine(v.toString()));
            }
            // The RDF-to-OWL mapping drops triples it cannot turn into axioms (e.g. a malformed
            // restriction), so the profile checker never sees them: they are violations too.
            for (String triple : unparsedTriples(ontology)) {
                violations.add("UnparsedTriple\t" + oneLine(triple));
            }
            violations.forEach(v -> System.out.println("VIOLATION\t" + v));
            System.out.println(violations.isEmpty() ? "OWL2DL\tOK" : "OWL2DL\tFAIL\t" + violations.size());
            System.exit(violations.isEmpty() ? 0 : 1);
        } catch (IOException | OWLOntologyCreationException e) {
            System.err.println("load error: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Parses all files into one RDF graph. Merging at the RDF level (not axiom by axiom) matters:
     * the OWL mapping types each term from the declarations of the whole graph, so a kb file that
     * uses a TBox property without declaring it is read exactly as it is meant in the union.
     * Every owl:Ontology header is folded into the first one (dropping other version IRIs and
     * imports between the given files) so that the result is one ontology, not several.
     */
    static Model mergeGraphs(String[] paths) throws IOException {
        Model graph = new LinkedHashModel();
        for (String path : paths) {
            File file = new File(path);
            RDFFormat format = Rio.getParserFormatForFileName(file.getName()).orElse(RDFFormat.TURTLE);
            try (InputStream in = new FileInputStream(file)) {
                // Rio gives blank nodes fresh ids per parse, so equal labels in two files stay distinct.
                graph.addAll(Rio.parse(in, file.toURI().toString(), format));
            } catch (RDF4JException e) {
                throw new IOException(path + ": " + e.getMessage(), e);
            }
        }
        Set<Resource> headers = new LinkedHashSet<>(graph.filter(null, RDF.TYPE, OWL.ONTOLOGY).subjects());
        if (headers.size() <= 1) {
            return graph;
        }
        Resource main = headers.iterator().next();
        ValueFactory vf = SimpleValueFactory.getInstance();
        Model merged = new LinkedHashModel();
        for (Statement st : graph) {
            boolean otherHeader = headers.contains(st.getSubject()) && !st.getSubject().equals(main);
            if (otherHeader && st.getPredicate().equals(OWL.VERSIONIRI)) {
                continue;
            }
            if (st.getPredicate().equals(OWL.IMPORTS) && headers.contains(st.getObject())) {
                continue;
            }
            Resource subject = otherHeader ? main : st.getSubject();
            merged.add(vf.createStatement(subject, st.getPredicate(), st.getObject()));
        }
        return merged;
    }

    /** Maps the merged graph to an OWL ontology without ever fetching anything from the network. */
    static OWLOntology load(Model graph) throws OWLOntologyCreationException {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        // An owl:imports of something not given on the command line must not be downloaded: every
        // import is mapped to a local path that does not exist, and SILENT turns the failure into
        // a "missing import" event. The checker then reports the terms it lacked as undeclared.
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(iri -> IRI.create(new File("/nonexistent/import-not-fetched.owl")));
        manager.addMissingImportListener(e -> System.err.println("note: import not loaded: " + e.getImportedOntologyURI()));
        manager.setOntologyLoaderConfiguration(manager.getOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT));
        // The manager cannot pick a parser for an in-memory graph (it has no format or URL), so
        // the RDF parser is called directly on an empty ontology; it sets the ontology IRI itself.
        OWLOntology ontology = manager.createOntology();
        OWLDocumentFormat format;
        try {
            format = new RioParserImpl(new RioTurtleDocumentFormatFactory())
                    .parse(new RioMemoryTripleSource(graph), ontology, manager.getOntologyLoaderConfiguration());
        } catch (RuntimeException e) {
            // Called directly, the parser throws unchecked exceptions (e.g. an owl:unionOf that is not a
            // list) that the manager would have wrapped: such a graph cannot be loaded at all.
            throw new OWLOntologyCreationException("the RDF graph cannot be mapped to OWL: " + e, e);
        }
        manager.setOntologyFormat(ontology, format);
        return ontology;
    }

    static List<String> unparsedTriples(OWLOntology ontology) {
        List<String> triples = new ArrayList<>();
        OWLDocumentFormat format = ontology.getFormat();
        OWLOntologyLoaderMetaData meta = format == null ? null : format.getOntologyLoaderMetaData().orElse(null);
        if (meta instanceof RDFParserMetaData rdfMeta) {
            rdfMeta.getUnparsedTriples().forEach(t -> triples.add(t.toString()));
        }
        return triples;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
